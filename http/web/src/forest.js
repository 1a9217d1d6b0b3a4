// Forest is the page's copy of a session's graph: the tree it fetched, kept
// equal to the server's by applying each graph event in seq order (the same
// rules as model.ApplyEvent on the server). Nodes are kept flat by id so an
// event touches one entry, not a walk of the tree.

/** Forest holds nodes by id, each with its parent id and ordered child ids. */
export class Forest {
  /** @param roots the nested {id, name, blueprint_type_id, properties, children} of GET graph/tree */
  constructor(roots = []) {
    this.nodes = new Map();
    this.roots = [];
    const add = (t, parent) => {
      this.nodes.set(t.id, {
        id: t.id,
        name: t.name,
        type: t.blueprint_type_id,
        properties: { ...(t.properties || {}) },
        parent,
        children: [],
      });
      for (const c of t.children || []) this.nodes.get(t.id).children.push(add(c, t.id));
      return t.id;
    };
    for (const r of roots) this.roots.push(add(r, null));
  }

  get(id) {
    return this.nodes.get(id);
  }

  /** siblings is the child list a node sits in: its parent's, or the roots. */
  siblings(parentID) {
    if (parentID === null || parentID === undefined || parentID === "") return this.roots;
    const p = this.nodes.get(parentID);
    if (!p) throw new Error(`no node ${parentID}`);
    return p.children;
  }

  /** contains reports whether id is ancestor itself or one of its descendants. */
  contains(ancestor, id) {
    for (let cur = id; cur; cur = this.nodes.get(cur)?.parent) {
      if (cur === ancestor) return true;
    }
    return false;
  }

  /** path is the names from the root down to id. */
  path(id) {
    const names = [];
    for (let cur = this.nodes.get(id); cur; cur = this.nodes.get(cur.parent)) names.unshift(cur.name);
    return names;
  }

  /** walk visits every node, parents first, in tree order. */
  *walk(ids = this.roots, depth = 1) {
    for (const id of ids) {
      const n = this.nodes.get(id);
      yield [n, depth];
      yield* this.walk(n.children, depth + 1);
    }
  }

  /**
   * apply changes the forest by one session event. It returns true for a
   * graph event and false for any other; it throws when the event does not
   * fit (the caller then fetches the tree again).
   */
  apply(ev) {
    switch (ev.event) {
      case "graph:node-created":
        this.#create(ev.node);
        return true;
      case "graph:node-deleted":
        this.#remove(ev.node_id);
        return true;
      case "graph:node-linked":
        this.#move(ev.child_id, ev.parent_id, ev.index);
        return true;
      case "graph:node-unlinked":
        this.#move(ev.child_id, null, ev.root_index ?? this.roots.length);
        return true;
      case "graph:node-updated":
        if (ev.changes && ev.changes.name) this.#need(ev.node_id).name = ev.changes.name.new;
        return true;
      case "graph:property-changed":
        this.#need(ev.node_id).properties[ev.property_id] = ev.new_value;
        return true;
      case "graph:property-deleted":
        delete this.#need(ev.node_id).properties[ev.property_id];
        return true;
      default:
        return false;
    }
  }

  #need(id) {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  #insert(list, index, id) {
    if (!(index >= 0 && index <= list.length)) throw new Error(`index ${index} out of range`);
    list.splice(index, 0, id);
  }

  #create(node) {
    if (this.nodes.has(node.id)) throw new Error(`node ${node.id} exists`);
    const parent = node.parent_id || null;
    this.#insert(this.siblings(parent), node.index, node.id);
    this.nodes.set(node.id, {
      id: node.id,
      name: node.name,
      type: node.blueprint_type_id,
      properties: { ...(node.properties || {}) },
      parent,
      children: [],
    });
  }

  #unhook(id) {
    const n = this.#need(id);
    const list = this.siblings(n.parent);
    const i = list.indexOf(id);
    if (i < 0) throw new Error(`node ${id} missing from its parent`);
    list.splice(i, 1);
    return n;
  }

  #remove(id) {
    const stack = [this.#unhook(id)];
    while (stack.length) {
      const n = stack.pop();
      this.nodes.delete(n.id);
      for (const c of n.children) stack.push(this.nodes.get(c));
    }
  }

  #move(id, parentID, index) {
    const list = this.siblings(parentID);
    const n = this.#unhook(id);
    this.#insert(list, index, id);
    n.parent = parentID || null;
  }
}
