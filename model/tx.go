package model

// Tx is a command's view of the graph while it runs. Reads see the command's
// own changes. Every mutating method validates, changes the graph, records
// the Op and its event, and returns a typed error without changing anything
// when a rule is broken.
type Tx struct {
	g      *Graph
	ops    []Op
	events []Event
}

// Apply runs cmd in a transaction. On error (or panic, reported as an error
// wrapping ErrInternal) the graph is exactly as before.
func (g *Graph) Apply(cmd Command) (Applied, error) { panic("unimplemented") }

// ApplyOps replays recorded ops (a redo, or Invert(ops) for an undo) in a
// transaction and returns the events they cause.
func (g *Graph) ApplyOps(ops []Op) (Applied, error) { panic("unimplemented") }
