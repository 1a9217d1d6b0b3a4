package http

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	nethttp "net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// The routes the prototype's frontend calls beside the documented API, in
// the shapes it reads: its tree at /graph, its dirty state, its save, and
// its later versions' load-graph.

// sessionGraphReply is GET /sessions/{sid}/graph.
type sessionGraphReply struct {
	SessionID string     `json:"session_id"`
	Seq       uint64     `json:"seq"`
	Graph     wire.Graph `json:"graph"`
}

func (s *Server) handleSessionGraph(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := chi.URLParam(r, "sessionID")
	tree, err := s.sessions.Tree(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, sessionGraphReply{SessionID: sid, Seq: tree.Seq, Graph: wire.NewGraph(tree.Roots)})
}

// dirtyReply answers GET …/dirty and POST …/reset-dirty.
type dirtyReply struct {
	Success   bool   `json:"success"`
	SessionID string `json:"session_id"`
	IsDirty   bool   `json:"is_dirty"`
}

func (s *Server) handleDirty(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := chi.URLParam(r, "sessionID")
	info, err := s.sessions.Info(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, dirtyReply{Success: true, SessionID: sid, IsDirty: info.IsDirty})
}

// handleResetDirty marks the project as saved without saving it, as the
// frontend does when the user discards changes.
func (s *Server) handleResetDirty(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := chi.URLParam(r, "sessionID")
	info, err := s.sessions.ResetDirty(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, dirtyReply{Success: true, SessionID: sid, IsDirty: info.IsDirty})
}

// sessionSaveReply answers POST /sessions/{sid}/save.
type sessionSaveReply struct {
	Success   bool   `json:"success"`
	SessionID string `json:"session_id"`
	ProjectID string `json:"project_id"`
	SavedAt   string `json:"saved_at"`
	IsDirty   bool   `json:"is_dirty"` // false: the session's project is what was just saved
}

// handleSessionSave saves the project the session has open, as POST
// /projects/{pid}/save does (project:saved goes to its watchers).
func (s *Server) handleSessionSave(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := chi.URLParam(r, "sessionID")
	info, err := s.sessions.Info(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if info.ProjectID == nil {
		s.writeError(w, r, actors.ErrNoProject)
		return
	}
	at, err := s.sessions.SaveProject(r.Context(), sid, *info.ProjectID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, sessionSaveReply{Success: true, SessionID: sid, ProjectID: *info.ProjectID, SavedAt: wire.Time(at)})
}

// loadGraphRequest is POST /sessions/{sid}/load-graph, the later
// frontend's way to put a graph it holds into a session.
type loadGraphRequest struct {
	Graph      *looseGraph `json:"graph"`
	TemplateID string      `json:"template_id"`
}

// looseGraph is a graph as the frontend holds it: its nodes as a list or a
// map by id, linked by children lists, parent ids or edges, under the
// names the prototype accepted.
type looseGraph struct {
	TemplateID string          `json:"template_id"`
	Nodes      json.RawMessage `json:"nodes"`
	Edges      []looseEdge     `json:"edges"`
}

type looseNode struct {
	ID              string         `json:"id"`
	Type            string         `json:"type"`
	BlueprintTypeID string         `json:"blueprint_type_id"`
	BlueprintType   string         `json:"blueprintType"`
	Name            string         `json:"name"`
	Label           string         `json:"label"`
	Properties      map[string]any `json:"properties"`
	Data            struct {
		NodeData struct {
			Properties map[string]any `json:"properties"`
		} `json:"nodeData"`
	} `json:"data"`
	Children      []string `json:"children"`
	ChildIDs      []string `json:"child_ids"`
	ChildIDsCamel []string `json:"childIds"`
	ParentID      string   `json:"parent_id"`
	ParentIDCamel string   `json:"parentId"`
}

type looseEdge struct {
	Source   string `json:"source"`
	ParentID string `json:"parent_id"`
	Parent   string `json:"parent"`
	Target   string `json:"target"`
	ChildID  string `json:"child_id"`
	Child    string `json:"child"`
}

// handleLoadGraph opens the graph in the body as a new project in the
// session, keeping its node ids; the file is checked like an import.
func (s *Server) handleLoadGraph(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := chi.URLParam(r, "sessionID")
	var req loadGraphRequest
	if err := decodeJSON(r, &req, decodeOptions{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Graph == nil {
		s.writeError(w, r, fieldError("graph", "graph is required"))
		return
	}
	file, err := req.projectFile()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.sessions.ImportProject(r.Context(), file, sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, map[string]any{
		"success": true, "session_id": p.SessionID, "project_id": p.ProjectID,
		"template_id": p.TemplateID, "seq": p.Seq, "is_dirty": p.IsDirty, "graph": wire.NewGraph(p.Roots),
	})
}

// projectFile turns the frontend's graph into a project file, which the
// session layer checks in full (types, children, cycles, budgets). It
// takes time linear in the graph: the links are gathered once, in order.
func (req *loadGraphRequest) projectFile() ([]byte, error) {
	nodes, err := req.Graph.nodes()
	if err != nil {
		return nil, err
	}
	tid := cmp.Or(req.TemplateID, req.Graph.TemplateID)
	if tid == "" {
		return nil, fieldError("template_id", "template_id is required (in the body or the graph)")
	}
	pf := model.ProjectFile{Version: model.FileVersion, Templates: []string{tid + ".yaml"}, TemplateID: tid, Nodes: make(map[string]*model.FileNode, len(nodes))}
	for i, n := range nodes {
		if n.ID == "" {
			return nil, fieldError(fmt.Sprintf("graph.nodes[%d].id", i), "every node needs an id")
		}
		if _, dup := pf.Nodes[n.ID]; dup {
			return nil, fieldError(fmt.Sprintf("graph.nodes[%d].id", i), "node id "+n.ID+" is given twice")
		}
		props := maps.Clone(n.Data.NodeData.Properties)
		if props == nil {
			props = map[string]any{}
		}
		maps.Copy(props, n.Properties)
		name := cmp.Or(n.Name, n.Label)
		if v, ok := props["name"].(string); ok && (name == "" || v == name) {
			// The prototype mirrors the name into the properties.
			name = cmp.Or(name, v)
			delete(props, "name")
		}
		pf.Nodes[n.ID] = &model.FileNode{ID: n.ID, Type: cmp.Or(n.Type, n.BlueprintTypeID, n.BlueprintType), Name: name, Properties: props, Children: []string{}}
	}
	link := func(parent, child string) error {
		pn, cn := pf.Nodes[parent], pf.Nodes[child]
		if pn == nil || cn == nil {
			return fieldError("graph", "a link names a node the graph does not have: "+parent+" → "+child)
		}
		switch {
		case cn.ParentID == nil:
			p := parent
			cn.ParentID = &p
			pn.Children = append(pn.Children, child)
		case *cn.ParentID != parent:
			return fieldError("graph", "node "+child+" has two parents")
		}
		return nil
	}
	for _, n := range nodes {
		for _, c := range slices.Concat(n.Children, n.ChildIDs, n.ChildIDsCamel) {
			if err := link(n.ID, c); err != nil {
				return nil, err
			}
		}
		if p := cmp.Or(n.ParentID, n.ParentIDCamel); p != "" {
			if err := link(p, n.ID); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range req.Graph.Edges {
		if err := link(cmp.Or(e.Source, e.ParentID, e.Parent), cmp.Or(e.Target, e.ChildID, e.Child)); err != nil {
			return nil, err
		}
	}
	return json.Marshal(pf)
}

// nodes reads the graph's nodes, a list or a map by id (in id order, so
// that the same body always makes the same project).
func (g *looseGraph) nodes() ([]looseNode, error) {
	var list []looseNode
	if err := json.Unmarshal(g.Nodes, &list); err == nil {
		return list, nil
	}
	byID := map[string]looseNode{}
	if err := json.Unmarshal(g.Nodes, &byID); err != nil {
		return nil, fieldError("graph.nodes", "graph.nodes must be a list or a map of nodes")
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		n := byID[id]
		n.ID = cmp.Or(n.ID, id)
		list = append(list, n)
	}
	return list, nil
}
