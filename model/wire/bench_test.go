package wire

import (
	"testing"

	"github.com/talus-tally/server/model"
)

// The hot path of every REST command: the request envelope, then its data.
var benchRequests = map[string]string{
	"update": `{"session_id":"5b0f7a3e-9c1d-4e0a-8f6b-2d9e4c1a7b3f","command_type":"UpdateProperty","data":{"node_id":"0c6f2b8e-1a4d-4f7e-9b3c-5e8a2d1f6c4b","property_id":"vin","value":"VIN-123456"},"include_graph":false}`,
	"create": `{"session_id":"5b0f7a3e-9c1d-4e0a-8f6b-2d9e4c1a7b3f","command_type":"CreateNode","command_id":"c-17","data":{"parent_id":"0c6f2b8e-1a4d-4f7e-9b3c-5e8a2d1f6c4b","blueprint_type_id":"phase","name":"Body","properties":{"status":"Planned","start_date":"2026-01-02"}}}`,
}

func BenchmarkParseCommand(b *testing.B) {
	for name, body := range benchRequests {
		b.Run(name, func(b *testing.B) {
			data := []byte(body)
			b.ReportAllocs()
			for b.Loop() {
				req, err := ParseCommandRequest(data)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := model.DecodeCommand(req.CommandType, req.Data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
