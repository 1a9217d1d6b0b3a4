package model

import "fmt"

// Limits are the budgets a graph keeps to, so that no command, import or
// batch can make one project grow without bound. Zero fields take the
// defaults. They bind what a client sends (commands, files); replaying
// recorded ops (undo, redo, a restart) restores states that were within
// them and is not checked again.
type Limits struct {
	MaxNodes      int // nodes in one project
	MaxValueBytes int // bytes of one property value as stored
	MaxNameBytes  int // bytes of one node name
	MaxBatch      int // commands in one batch, nested ones counted
}

// Defaults for the zero fields of Limits.
const (
	DefaultMaxNodes      = 100_000
	DefaultMaxValueBytes = 64 << 10
	DefaultMaxNameBytes  = 1 << 10
	DefaultMaxBatch      = 1000
)

// Budget names, as LimitError.Budget and the details of LIMIT_EXCEEDED.
const (
	BudgetNodes      = "nodes_per_project"
	BudgetValueBytes = "bytes_per_value"
	BudgetNameBytes  = "bytes_per_name"
	BudgetBatch      = "commands_per_batch"
)

// WithDefaults returns l with every zero (or negative) field set to its
// default.
func (l Limits) WithDefaults() Limits {
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxNameBytes <= 0 {
		l.MaxNameBytes = DefaultMaxNameBytes
	}
	if l.MaxBatch <= 0 {
		l.MaxBatch = DefaultMaxBatch
	}
	return l
}

// WithLimits makes the graph keep to l (defaults for its zero fields).
func WithLimits(l Limits) Option { return func(g *Graph) { g.limits = l.WithDefaults() } }

// CheckName refuses a node name longer than MaxNameBytes.
func (l Limits) CheckName(name string) error {
	if len(name) > l.MaxNameBytes {
		return limitError(BudgetNameBytes, l.MaxNameBytes, "a name of %d bytes", len(name))
	}
	return nil
}

// checkValue refuses a canonical property value longer than MaxValueBytes.
func (l Limits) checkValue(prop string, v any) error {
	if s, ok := v.(string); ok && len(s) > l.MaxValueBytes {
		return limitError(BudgetValueBytes, l.MaxValueBytes, "property %q: a value of %d bytes", prop, len(s))
	}
	return nil
}

// checkNodes refuses adding n nodes to a graph of have.
func (l Limits) checkNodes(have, n int) error {
	if have+n > l.MaxNodes {
		return limitError(BudgetNodes, l.MaxNodes, "the project has %d nodes and this would add %d", have, n)
	}
	return nil
}

func limitError(budget string, limit int, format string, args ...any) error {
	return &LimitError{Budget: budget, Limit: int64(limit), Reason: fmt.Sprintf(format, args...)}
}

// Limits returns the budgets the graph keeps to.
func (g *Graph) Limits() Limits { return g.limits }

// SetLimits changes the budgets later commands keep to; what the graph
// holds already stays (a restored graph may have been made under others).
func (g *Graph) SetLimits(l Limits) { g.limits = l.WithDefaults() }

// Unlimited is the budget for restoring a graph the server itself made:
// a checkpoint is read whatever today's limits say.
var Unlimited = Limits{MaxNodes: 1 << 30, MaxValueBytes: 1 << 30, MaxNameBytes: 1 << 30, MaxBatch: 1 << 30}

// OpsSize estimates the bytes ops hold, for budgets on how much undo
// history a session keeps: their strings and values, and a fixed cost per
// op and node for the rest. It is an estimate of memory, not an encoding.
func OpsSize(ops []Op) int {
	n := 0
	for _, op := range ops {
		n += 64 + len(op.NodeID) + len(op.ParentID) + len(op.Prop) + len(op.OldName) + len(op.NewName) + valueSize(op.Old) + valueSize(op.New)
		for _, node := range op.Nodes {
			n += 96 + len(node.ID) + len(node.Type) + len(node.Name) + len(node.ParentID)
			for _, c := range node.Children {
				n += 16 + len(c)
			}
			for k, v := range node.Properties {
				n += 16 + len(k) + valueSize(v)
			}
		}
	}
	return n
}

func valueSize(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return 8
}
