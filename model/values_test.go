package model

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalValue(t *testing.T) {
	sel := &PropertyDef{ID: "status", Type: TypeSelect, Options: []SelectOption{{ID: "o1", Name: "Open"}, {ID: "o2", Name: "Done"}}}
	tests := []struct {
		name string
		def  *PropertyDef
		in   any
		want any // nil means the value is rejected
	}{
		{"text", &PropertyDef{Type: TypeText}, "hello", "hello"},
		{"text empty", &PropertyDef{Type: TypeText}, "", ""},
		{"text not number", &PropertyDef{Type: TypeText}, json.Number("1"), nil},
		{"number json", &PropertyDef{Type: TypeNumber}, json.Number("2.5"), 2.5},
		{"number float", &PropertyDef{Type: TypeNumber}, 3.0, 3.0},
		{"number int", &PropertyDef{Type: TypeNumber}, 7, 7.0},
		{"number string", &PropertyDef{Type: TypeNumber}, "-1e3", -1000.0},
		{"number NaN string", &PropertyDef{Type: TypeNumber}, "NaN", nil},
		{"number Inf string", &PropertyDef{Type: TypeNumber}, "Inf", nil},
		{"number NaN float", &PropertyDef{Type: TypeNumber}, math.NaN(), nil},
		{"number Inf float", &PropertyDef{Type: TypeNumber}, math.Inf(-1), nil},
		{"number overflow", &PropertyDef{Type: TypeNumber}, json.Number("1e999"), nil},
		{"number bool", &PropertyDef{Type: TypeNumber}, true, nil},
		{"currency keeps scale", &PropertyDef{Type: TypeCurrency}, "1234.50", "1234.50"},
		{"currency json number", &PropertyDef{Type: TypeCurrency}, json.Number("19.99"), "19.99"},
		{"currency float", &PropertyDef{Type: TypeCurrency}, 0.1, "0.1"},
		{"currency exponent", &PropertyDef{Type: TypeCurrency}, json.Number("1.5e2"), "150"},
		{"currency negative zero", &PropertyDef{Type: TypeCurrency}, "-0.00", "0.00"},
		{"currency many digits exact", &PropertyDef{Type: TypeCurrency}, "12345678901234567890.123456789", "12345678901234567890.123456789"},
		{"currency trailing point kept as typed", &PropertyDef{Type: TypeCurrency}, "12.", "12."},
		{"currency trailing point after zeros", &PropertyDef{Type: TypeCurrency}, "-0.", "0."},
		{"currency trailing point with exponent", &PropertyDef{Type: TypeCurrency}, "1e2.", nil},
		{"currency lone point", &PropertyDef{Type: TypeCurrency}, ".", nil},
		{"currency garbage", &PropertyDef{Type: TypeCurrency}, "12abc", nil},
		{"currency comma", &PropertyDef{Type: TypeCurrency}, "1,000", nil},
		{"currency NaN", &PropertyDef{Type: TypeCurrency}, "NaN", nil},
		{"currency Infinity", &PropertyDef{Type: TypeCurrency}, "Infinity", nil},
		{"currency float NaN", &PropertyDef{Type: TypeCurrency}, math.NaN(), nil},
		{"currency huge exponent", &PropertyDef{Type: TypeCurrency}, "1e999999999", nil},
		{"currency bool", &PropertyDef{Type: TypeCurrency}, false, nil},
		{"currency empty", &PropertyDef{Type: TypeCurrency}, "", nil},
		{"boolean", &PropertyDef{Type: TypeBoolean}, true, true},
		{"boolean string", &PropertyDef{Type: TypeBoolean}, "true", nil},
		{"date", &PropertyDef{Type: TypeDate}, "2024-02-29", "2024-02-29"},
		{"date not leap", &PropertyDef{Type: TypeDate}, "2023-02-29", nil},
		{"date month 13", &PropertyDef{Type: TypeDate}, "2023-13-01", nil},
		{"date short", &PropertyDef{Type: TypeDate}, "2023-1-01", nil},
		{"date with time", &PropertyDef{Type: TypeDate}, "2023-01-01T00:00:00Z", nil},
		{"date number", &PropertyDef{Type: TypeDate}, json.Number("20230101"), nil},
		{"select id", sel, "o2", "o2"},
		{"select name", sel, "Done", "o2"},
		{"select unknown", sel, "done", nil},
		{"select number", sel, json.Number("1"), nil},
		{"null", &PropertyDef{Type: TypeText}, nil, nil},
		{"object", &PropertyDef{Type: TypeText}, map[string]any{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := *tc.def
			if def.ID == "" {
				def.ID = "p"
			}
			got, err := canonicalValue(&def, tc.in)
			if tc.want == nil {
				var ic *InvalidCommandError
				require.ErrorAs(t, err, &ic)
				assert.Equal(t, "value", ic.Rule)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
