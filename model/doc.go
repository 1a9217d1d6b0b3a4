// Package model holds the domain of Talus Tally: templates (blueprints) and
// their typed properties, the project graph, and the commands that change it.
//
// Commands are data. Graph.Apply runs one command inside a transaction built
// from primitive Ops; it returns the concrete events the command caused and
// the ops that redo it (Invert gives the ops that undo it). A command that
// fails or panics part-way is rolled back, so the graph is either fully
// changed or untouched. Nothing here knows about actors, HTTP or sockets.
//
// Broken rules are an *InvalidCommandError whose Rule is one of:
// unknown_command, unknown_type, unknown_property, value, required,
// not_set (DeleteProperty of an absent property), root, allowed_children,
// cycle, already_linked, not_a_child, index, name, batch. Ill-formed input
// is an *InvalidRequestError naming the field; a missing node wraps
// ErrNodeNotFound. A command costs in proportion to what it touches (a
// node, its siblings, a subtree, the path to the root), never to the size
// of the graph.
//
// A Graph is not safe for concurrent use: one session actor owns each graph.
// Templates and Catalogs are immutable after loading and may be shared.
package model
