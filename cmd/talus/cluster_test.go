package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClusterConfig: the -cluster flags, their TALUS_* fallbacks and the
// defaults that follow from other settings; without -cluster the server is
// a single one.
func TestClusterConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    clusterConfig
		wantErr string
	}{
		{name: "single server by default", want: clusterConfig{}},
		{
			name: "flags",
			args: []string{"-addr", "127.0.0.1:5001", "-cluster", "127.0.0.1:6001", "-cluster-peers", "127.0.0.1:6002, 127.0.0.1:6003", "-cluster-node", "a", "-cluster-advertise", "http://10.0.0.1:5001"},
			want: clusterConfig{Listen: "127.0.0.1:6001", Node: "a", Peers: []string{"127.0.0.1:6002", "127.0.0.1:6003"}, Advertise: "http://10.0.0.1:5001"},
		},
		{
			name: "environment, and the defaults it implies",
			env:  map[string]string{"TALUS_ADDR": "127.0.0.1:5002", "TALUS_CLUSTER": "127.0.0.1:6002", "TALUS_CLUSTER_PEERS": "127.0.0.1:6001", "TALUS_CLUSTER_SYNC": "true"},
			want: clusterConfig{Listen: "127.0.0.1:6002", Node: "talus-6002", Peers: []string{"127.0.0.1:6001"}, Advertise: "http://127.0.0.1:5002", Sync: true},
		},
		{
			name: "a flag beats the environment",
			args: []string{"-cluster-node", "flag"},
			env:  map[string]string{"TALUS_CLUSTER": "127.0.0.1:6002", "TALUS_CLUSTER_NODE": "env"},
			want: clusterConfig{Listen: "127.0.0.1:6002", Node: "flag", Advertise: "http://127.0.0.1:5000"},
		},
		{name: "peers without -cluster", args: []string{"-cluster-peers", "127.0.0.1:6001"}, wantErr: "need -cluster"},
		{name: "bad listen address", args: []string{"-cluster", "6001"}, wantErr: "-cluster"},
		{name: "bad peer", args: []string{"-cluster", "127.0.0.1:6001", "-cluster-peers", "nope"}, wantErr: "-cluster-peers"},
		{name: "every interface needs an advertised URL", args: []string{"-addr", "0.0.0.0:5000", "-cluster", "127.0.0.1:6001"}, wantErr: "-cluster-advertise"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.Cluster)
		})
	}
}
