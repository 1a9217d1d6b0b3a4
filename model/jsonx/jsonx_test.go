package jsonx

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Field
		err  error
	}{
		{"members in order", ` {"b": 1, "a" :"x\u0041", "c":{"d":[1, 2]}} `,
			[]Field{{"b", []byte("1")}, {"a", []byte(`"x\u0041"`)}, {"c", []byte(`{"d":[1, 2]}`)}}, nil},
		{"empty", `{}`, nil, nil},
		{"escaped name", `{"n\u0061me":null}`, []Field{{"name", []byte("null")}}, nil},
		{"array", `[1]`, nil, ErrNotObject},
		{"string", `"x"`, nil, ErrNotObject},
		{"nothing", ``, nil, ErrSyntax},
		{"truncated", `{"a":`, nil, ErrSyntax},
		{"bad literal", `{"a":tru}`, nil, ErrSyntax},
		{"duplicate", `{"a":1,"a":2}`, nil, ErrDuplicate},
		{"trailing value", `{"a":1} {}`, nil, ErrTrailing},
		{"trailing junk", `{"a":1}x`, nil, ErrTrailing},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", nil, ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadObject([]byte(tc.in), nil)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestScalars(t *testing.T) {
	s, ok := String([]byte(`"a\"b\u00e9"`))
	assert.True(t, ok)
	assert.Equal(t, "a\"bé", s)
	_, ok = String([]byte(`12`))
	assert.False(t, ok)
	n, ok := Int([]byte(`-42`))
	assert.True(t, ok)
	assert.Equal(t, -42, n)
	for _, bad := range []string{`1.0`, `1e2`, `"1"`, `+1`, ``, `99999999999999999999999`} {
		_, ok := Int([]byte(bad))
		assert.False(t, ok, bad)
	}
	b, ok := Bool([]byte(`false`))
	assert.True(t, ok)
	assert.False(t, b)
	_, ok = Bool([]byte(`0`))
	assert.False(t, ok)
	v, ok := Lookup([]Field{{"a", []byte("null")}, {"b", []byte("2")}}, "b")
	assert.True(t, ok)
	assert.Equal(t, "2", string(v))
	_, ok = Lookup([]Field{{"a", []byte("null")}}, "a")
	assert.False(t, ok, "null is absent")
}

// TestAppendValueMatchesEncodingJSON: every form AppendValue writes is the
// one json.Marshal writes, byte for byte.
func TestAppendValueMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", "<&>\u2028\u2029\x00\x1f\"\\", "\xffbad", "é😀",
		json.Number("12.50"), json.Number("-0"), json.Number("1e400"), json.Number(""),
		0.0, -0.0, 1.0, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64,
		float32(0.1), float32(1e21), float32(1e-7), 7, int64(-9), []string{"a", "b"}, []string(nil),
		map[string]any{"z": 1.5, "a": []any{nil, "x", map[string]any{}}, "é": json.Number("3"), "A": true},
		map[string]any(nil), []any(nil), []any{}, time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC),
		struct{ X int }{3},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		require.NoError(t, err, "%#v", v)
		got, err := AppendValue([]byte("prefix"), v)
		require.NoError(t, err)
		assert.Equal(t, "prefix"+string(want), string(got), "%#v", v)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), json.Number("1x"), map[string]any{"a": math.Inf(-1)}} {
		_, err := json.Marshal(bad)
		require.Error(t, err)
		_, err = AppendValue(nil, bad)
		assert.Error(t, err, "%#v", bad)
	}
}

func TestAppendTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 2, 19, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 2, 19, 0, 0, 123456789, time.FixedZone("x", 3600)),
	} {
		want, err := json.Marshal(tm)
		require.NoError(t, err)
		got, err := AppendTime(nil, tm)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
	_, err := AppendTime(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Error(t, err)
}

// FuzzAppendValue: for any JSON value as the model decodes it (numbers
// exact), AppendValue writes what json.Marshal writes.
func FuzzAppendValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x"],"b":null}`, `"\u2028<>"`, `1e-7`, `[true,{"é":{}}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		want, werr := json.Marshal(v)
		got, gerr := AppendValue(nil, v)
		if werr != nil {
			require.Error(t, gerr)
			return
		}
		require.NoError(t, gerr)
		require.Equal(t, string(want), string(got))

		// Floats too, as a client's numbers become when decoded plainly.
		var plain any
		if json.Unmarshal(in, &plain) != nil {
			return
		}
		want, werr = json.Marshal(plain)
		got, gerr = AppendValue(nil, plain)
		if werr == nil {
			require.NoError(t, gerr)
			require.Equal(t, string(want), string(got))
		}
	})
}

// FuzzReadObject: whatever ReadObject accepts, encoding/json reads as the
// same members; what it refuses is not a clean object.
func FuzzReadObject(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":{"c":[]}}`, `{}`, `{"a":1,"a":2}`, `[1]`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fields, err := ReadObject(in, nil)
		var m map[string]json.RawMessage
		jerr := json.Unmarshal(in, &m)
		if err != nil {
			return // stricter than encoding/json is allowed (duplicates, invalid UTF-8)
		}
		require.NoError(t, jerr, "encoding/json refuses what ReadObject took: %q", in)
		require.NotNil(t, m)
		require.Len(t, m, len(fields))
		for _, fl := range fields {
			var want, got any
			require.NoError(t, json.Unmarshal(m[fl.Name], &want))
			require.NoError(t, json.Unmarshal(fl.Value, &got))
			require.Equal(t, want, got, fl.Name)
			require.True(t, bytes.Contains(in, fl.Value), "values are slices of the input")
		}
	})
}

// FuzzAppendString: our JSON strings are encoding/json's, byte for byte.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\", "<&>", "\x00\x1f\b\f\n\r\t", "\u2028\u2029", "\xff\xfe", "é漢字🚗"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(AppendString(nil, s)))
	})
}

// BenchmarkAppendString writes what most of the server's JSON is: ids and
// short names.
func BenchmarkAppendString(b *testing.B) {
	strs := []string{"3f2b9c1e-7d4a-4e8b-9a61-2c5d8e0f1a3b", "Rust repair", "graph:property-changed", "2025-03-01"}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, s := range strs {
			buf = AppendString(buf, s)
		}
	}
}

// TestReadObjectNames: member names come back unquoted, escapes decoded;
// an interned name is the one shared string.
func TestReadObjectNames(t *testing.T) {
	Intern("shared_name")
	data := []byte(`{"shared_name":1,"n\u0061me":"x","plain":[1],"\u00e9t\u00e9":true}`)
	fields, err := ReadObject(data, nil)
	require.NoError(t, err)
	var got []string
	for _, f := range fields {
		got = append(got, f.Name)
	}
	assert.Equal(t, []string{"shared_name", "name", "plain", "été"}, got)
	again, err := ReadObject(data, nil)
	require.NoError(t, err)
	assert.Same(t, unsafe.StringData(fields[0].Name), unsafe.StringData(again[0].Name), "one string for an interned name")
	_, err = ReadObject([]byte(`{"a":1,"\u0061":2}`), nil)
	assert.ErrorIs(t, err, ErrDuplicate, "a name escaped is still the same name")
}
