// The template's rules as the page needs them: what a node type is called,
// which types it may hold, and where a node may be moved. The server checks
// every rule again; these only keep the page from offering what it refuses.

/** Schema wraps GET /templates/{tid}/schema. */
export class Schema {
  constructor(doc) {
    this.id = doc.id;
    this.name = doc.name;
    this.types = new Map(doc.node_types.map((t) => [t.id, t]));
    this.rootType = doc.node_types.length ? doc.node_types[0].id : "";
  }

  type(id) {
    return this.types.get(id);
  }

  label(typeID) {
    const t = this.types.get(typeID);
    return t ? t.name : typeID;
  }

  /** allows reports whether a node of parentType may hold one of childType. */
  allows(parentType, childType) {
    const t = this.types.get(parentType);
    return Boolean(t && t.allowed_children.includes(childType));
  }
}

/** canMoveInto says whether node id may become a child of target. */
export function canMoveInto(forest, schema, id, target) {
  const n = forest.get(id);
  const t = forest.get(target);
  if (!n || !t || forest.contains(id, target)) return false;
  return schema.allows(t.type, n.type);
}

/** moveTargets lists the nodes id may be moved under, other than its parent. */
export function moveTargets(forest, schema, id) {
  const n = forest.get(id);
  const out = [];
  for (const [t] of forest.walk()) {
    if (t.id !== n.parent && canMoveInto(forest, schema, id, t.id)) out.push(t);
  }
  return out;
}

/**
 * siblingMove is the MoveNode data that puts id at position `to` among its
 * siblings, or null when it cannot move there. MoveNode's index counts the
 * parent's children without the moved node, which is the final position.
 */
export function siblingMove(forest, id, to) {
  const n = forest.get(id);
  if (!n || !n.parent) return null; // roots are not reordered by MoveNode
  const count = forest.get(n.parent).children.length;
  if (to < 0 || to >= count || forest.get(n.parent).children[to] === id) return null;
  return { node_id: id, new_parent_id: n.parent, index: to };
}

/** canDelete keeps the project's own root: deleting it would leave nothing to hold a project. */
export function canDelete(forest, schema, id) {
  const n = forest.get(id);
  return Boolean(n && !(n.parent === null && n.type === schema.rootType));
}
