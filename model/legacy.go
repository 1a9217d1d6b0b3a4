package model

import "strings"

// LegacyName returns the event name the prototype's frontend listens for:
// graph events lose their "graph:" prefix ("graph:node-created" becomes
// "node-created"); other names are the same in both.
func LegacyName(eventName string) string {
	return strings.TrimPrefix(eventName, "graph:")
}
