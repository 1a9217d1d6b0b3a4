package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Currency bounds: enough for any budget, small enough that the canonical
// string of a hostile "1e999999999" is never built.
const (
	maxCurrencyDigits   = 40
	maxCurrencyExponent = 30
)

// canonicalValue checks v against def and returns the form the graph stores:
// text, date and select as string (select as option id), number as finite
// float64, boolean as bool, currency as an exact decimal string. Errors are
// an *InvalidCommandError with rule "value".
func canonicalValue(def *PropertyDef, v any) (any, error) {
	bad := func(format string, args ...any) (any, error) {
		return nil, invalidCommand("value", "property %q (%s): %s", def.ID, def.Type, fmt.Sprintf(format, args...))
	}
	if v == nil {
		return bad("null is not a value")
	}
	switch def.Type {
	case TypeText:
		s, ok := v.(string)
		if !ok {
			return bad("want a string, got %s", kindOf(v))
		}
		return s, nil
	case TypeNumber:
		f, ok := toFloat(v)
		if !ok {
			return bad("want a number, got %s", kindOf(v))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("want a finite number")
		}
		return f, nil
	case TypeCurrency:
		s, ok := canonicalDecimal(v)
		if !ok {
			return bad("want a decimal amount such as \"1234.50\"")
		}
		return s, nil
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return bad("want true or false, got %s", kindOf(v))
		}
		return b, nil
	case TypeDate:
		s, ok := v.(string)
		if !ok || len(s) != len("2006-01-02") {
			return bad("want a date YYYY-MM-DD")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return bad("want a real calendar date YYYY-MM-DD")
		}
		return s, nil
	case TypeSelect:
		s, ok := v.(string)
		if !ok {
			return bad("want an option id, got %s", kindOf(v))
		}
		o, ok := def.Option(s)
		if !ok {
			return bad("%q is not one of its options", s)
		}
		return o.ID, nil
	default:
		return bad("unknown property type")
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	default:
		return 0, false
	}
}

// canonicalDecimal returns the exact decimal string of v, keeping the
// scale it was given with ("1234.50" stays "1234.50").
func canonicalDecimal(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return "", false
	}
	if s == "" || len(s) > 100 {
		return "", false
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		return "", false
	}
	if d.NumDigits() > maxCurrencyDigits || d.Exponent > maxCurrencyExponent || d.Exponent < -maxCurrencyExponent {
		return "", false
	}
	if d.IsZero() {
		d.Negative = false
	}
	out := d.Text('f')
	if strings.HasSuffix(s, ".") && !strings.ContainsAny(s, "eE") && !strings.Contains(out, ".") {
		// "12." is kept as typed: a client that sends one update per
		// keystroke and shows the reply would otherwise lose the point
		// before the user types the cents.
		out += "."
	}
	return out, true
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int64, int32, uint64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// checkRequired rejects clearing a required property: an empty string.
func checkRequired(def *PropertyDef, v any) error {
	if def.Required {
		if s, ok := v.(string); ok && isBlank(s) {
			return invalidCommand("required", "property %q is required and cannot be empty", def.ID)
		}
	}
	return nil
}
