package actors

import "github.com/talus-tally/server/model/jsonx"

// The session's own event payloads write their JSON without reflection,
// as the model's do (see model/event_json.go); TestPayloadsMatchEncodingJSON
// holds them to json.Marshal's bytes.

// AppendJSON implements jsonx.Appender.
func (p CommandExecuting) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"command_type":`...)
	b = jsonx.AppendString(b, p.CommandType)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (p CommandExecuted) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"command_type":`...)
	b = jsonx.AppendString(b, p.CommandType)
	b = append(b, `,"result":`...)
	b, err := jsonx.AppendValue(b, p.Result)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (p CommandUndoRedo) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"command_type":`...)
	b = jsonx.AppendString(b, p.CommandType)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (p SessionClient) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"client_id":`...)
	b = jsonx.AppendString(b, p.ClientID)
	b = append(b, `,"client_count":`...)
	b, _ = jsonx.AppendValue(b, p.ClientCount)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (p ProjectSaved) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"saved_at":`...)
	b = jsonx.AppendString(b, p.SavedAt)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender: the graph goes in as it was
// encoded, not scanned again.
func (p ProjectLoaded) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"graph":`...)
	b, err := p.Graph.AppendJSON(b)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}
