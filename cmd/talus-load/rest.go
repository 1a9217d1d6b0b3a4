package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// call sends a JSON request (body nil for none) to path and decodes a 2xx
// reply into into (nil to skip, a *[]byte for the bytes as they are). A non-2xx reply is a *replyError with the
// server's error code. Every POST says Content-Type: application/json and
// no request carries an Origin: the tool is a script, not a browser.
func (r *runner) call(ctx context.Context, base, method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := r.rest.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		if e.Error.Code == "" {
			e.Error.Code = "NO_CODE"
		}
		return &replyError{status: res.StatusCode, code: e.Error.Code}
	}
	switch into := into.(type) {
	case nil:
		return nil
	case *[]byte:
		*into = data
		return nil
	default:
		return json.Unmarshal(data, into)
	}
}

// decodeReply reads a command's reply up to its graph, which both servers
// write last: a reply with a graph costs the tool little more than one
// without, so the tool takes less of the machine from the server.
func decodeReply(data []byte) (execReply, error) {
	var r execReply
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return r, fmt.Errorf("reply is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return r, err
		}
		switch tok {
		case "graph":
			return r, nil
		case "success":
			err = dec.Decode(&r.Success)
		case "node_id":
			err = dec.Decode(&r.NodeID)
		case "seq":
			err = dec.Decode(&r.Seq)
		case "error":
			err = dec.Decode(&r.Error)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// open makes session i, on the i-th server (round robin): a new restomod
// project, or with -project-nodes an imported project of that many nodes.
func (r *runner) open(ctx context.Context, i int) (*session, error) {
	base := r.cfg.urls[i%len(r.cfg.urls)]
	var res struct {
		SessionID string `json:"session_id"`
		Graph     struct {
			Roots []struct {
				ID string `json:"id"`
			} `json:"roots"`
		} `json:"graph"`
	}
	var err error
	if r.cfg.projectNodes > 0 {
		err = r.call(ctx, base, http.MethodPost, "/api/v1/projects/import", projectFile(i, r.cfg.projectNodes), &res)
	} else {
		err = r.call(ctx, base, http.MethodPost, "/api/v1/projects", map[string]string{
			"template_id": "restomod", "project_name": "load " + strconv.Itoa(i),
		}, &res)
	}
	if err != nil {
		return nil, err
	}
	if res.SessionID == "" || len(res.Graph.Roots) == 0 {
		return nil, fmt.Errorf("no session id or no root node in the reply")
	}
	return &session{id: res.SessionID, root: res.Graph.Roots[0].ID, url: base}, nil
}

// finalSeq asks the server for the session's seq now.
func (r *runner) finalSeq(ctx context.Context, s *session) error {
	var tree struct {
		Seq uint64 `json:"seq"`
	}
	if err := r.call(ctx, s.url, http.MethodGet, "/api/v1/sessions/"+s.id+"/graph/tree", nil, &tree); err != nil {
		return err
	}
	s.final = tree.Seq
	return nil
}

// projectFile is a restomod project file (the prototype's format, which
// both servers import) of n nodes: a root, then phases of four jobs of five
// tasks each, depth first, with fresh random ids and a few properties.
func projectFile(i, n int) map[string]any {
	type node struct {
		ID         string         `json:"id"`
		Type       string         `json:"type"`
		Name       string         `json:"name"`
		Properties map[string]any `json:"properties"`
		Children   []string       `json:"children"`
		ParentID   *string        `json:"parent_id"`
	}
	nodes := make(map[string]*node, n)
	add := func(typ, name string, parent *node, props map[string]any) *node {
		nd := &node{ID: uuid4(), Type: typ, Name: name, Properties: props, Children: []string{}}
		if parent != nil {
			nd.ParentID = &parent.ID
			parent.Children = append(parent.Children, nd.ID)
		}
		nodes[nd.ID] = nd
		return nd
	}
	root := add("project_root", "idle "+strconv.Itoa(i), nil, map[string]any{"vehicle": "1969 Camaro", "vin": "VIN-" + strconv.Itoa(i)})
	for p := 0; len(nodes) < n; p++ {
		phase := add("phase", "Phase "+strconv.Itoa(p), root, map[string]any{"start_date": "2025-03-01"})
		for j := 0; j < 4 && len(nodes) < n; j++ {
			job := add("job", "Job "+strconv.Itoa(j), phase, map[string]any{"description": "job " + strconv.Itoa(j) + " of phase " + strconv.Itoa(p)})
			for t := 0; t < 5 && len(nodes) < n; t++ {
				add("task", "Task "+strconv.Itoa(t), job, map[string]any{"notes": "about task " + strconv.Itoa(t), "estimated_hours": float64(t + 1)})
			}
		}
	}
	return map[string]any{
		"version": "1.0", "templates": []string{"restomod.yaml"}, "template_id": "restomod",
		"name": root.Name, "nodes": nodes,
	}
}

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
