package daemonconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Pos is a 1-based line and column (in characters) in a daemon.json file.
type Pos struct {
	Line, Col int
}

// String returns "LINE:COL", or "" for the zero Pos.
func (p Pos) String() string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Config is a parsed daemon.json: its top-level keys in file order, their
// decoded values (numbers as json.Number) and where each key appears.
type Config struct {
	keys   []string
	values map[string]any
	pos    map[string]Pos // "log-opts" and "log-opts.max-file"
	// problems found while parsing (syntax, duplicates, trailing data).
	problems []Problem
	// flags are the keys dockerd's command line sets, and host what is
	// known about the host: Validate fills them in so that the security
	// rules judge the settings dockerd applies, not only the file's.
	flags map[string][]string
	host  *HostFacts
}

// Keys returns the top-level keys in the order they appear (each once).
func (c *Config) Keys() []string { return append([]string(nil), c.keys...) }

// Has reports whether the file sets key.
func (c *Config) Has(key string) bool {
	_, ok := c.values[key]
	return ok
}

// Value returns the decoded value of key (bool, string, json.Number,
// []any, map[string]any or nil).
func (c *Config) Value(key string) (any, bool) {
	x, ok := c.values[key]
	return x, ok
}

// Bool returns a boolean key's value; ok is false when it is unset or not
// a boolean.
func (c *Config) Bool(key string) (val, ok bool) {
	b, ok := c.values[key].(bool)
	return b, ok
}

// String returns a string key's value.
func (c *Config) String(key string) (string, bool) {
	s, ok := c.values[key].(string)
	return s, ok
}

// Strings returns the string elements of a list key (non-strings skipped).
func (c *Config) Strings(key string) []string {
	list, _ := c.values[key].([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// StringMap returns the string values of an object key (non-strings skipped).
func (c *Config) StringMap(key string) map[string]string {
	m, _ := c.values[key].(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}

// Pos returns where a key ("log-opts" or "log-opts.max-file") appears.
func (c *Config) Pos(path string) Pos { return c.pos[path] }

// maxInput bounds what Parse reads; real daemon.json files are a few KiB.
const maxInput = 4 << 20

// Parse reads daemon.json strictly. It returns an error only when the
// file cannot be read as a JSON object at all (a syntax error, an empty
// file, a byte order mark); the error says where, as LINE:COL. Softer
// problems (duplicate keys, data after the object) are kept for Validate.
func Parse(data []byte) (*Config, error) {
	c := &Config{values: map[string]any{}, pos: map[string]Pos{}}
	if len(data) > maxInput {
		return nil, &SyntaxError{Msg: fmt.Sprintf("file is larger than %d bytes", maxInput)}
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &SyntaxError{Pos: Pos{1, 1}, Msg: "file starts with a UTF-8 byte order mark (BOM); dockerd reads it as \"invalid character 'ï'\"", Hint: "save the file as UTF-8 without BOM"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &SyntaxError{Pos: Pos{1, 1}, Msg: "file is empty; dockerd refuses it with \"EOF\"", Hint: "write {} or remove the file"}
	}
	if !utf8.Valid(data) {
		return nil, &SyntaxError{Msg: "file is not valid UTF-8"}
	}
	w := walker{data: data, dec: json.NewDecoder(bytes.NewReader(data)), c: c}
	w.dec.UseNumber()
	tok, err := w.token()
	if err != nil {
		return nil, w.syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &SyntaxError{Pos: w.at(w.start), Msg: fmt.Sprintf("top level is %s, not an object", describeToken(tok)), Hint: `daemon.json is one JSON object: {"key": value, ...}`}
	}
	top, err := w.object("", 0)
	if err != nil {
		return nil, w.syntax(err)
	}
	c.values = top
	// dockerd decodes the first JSON value only (before 23.0).
	if _, err := w.token(); err != io.EOF {
		p := w.at(w.start)
		c.problems = append(c.problems, Problem{Code: CodeTrailingData, Pos: p,
			Message: "data after the closing brace of the configuration object",
			Hint:    "merge everything into one object; Docker 20.10-22.06 silently ignore the rest, 23.0 and later refuse the file"})
	}
	return c, nil
}

func describeToken(tok any) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "not an object"
}

// SyntaxError is a daemon.json that is not a JSON object; dockerd refuses
// such a file.
type SyntaxError struct {
	Pos  Pos
	Msg  string
	Hint string
}

func (e *SyntaxError) Error() string {
	s := e.Msg
	if e.Pos.Line > 0 {
		s = e.Pos.String() + ": " + s
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

type walker struct {
	data  []byte
	dec   *json.Decoder
	c     *Config
	start int // byte offset where the last token began
}

const maxDepth = 64

func (w *walker) token() (json.Token, error) {
	off := int(w.dec.InputOffset())
	for off < len(w.data) && strings.IndexByte(" \t\r\n,:", w.data[off]) >= 0 {
		off++
	}
	w.start = off
	return w.dec.Token()
}

// at converts a byte offset to a line and column.
func (w *walker) at(off int) Pos {
	if off > len(w.data) {
		off = len(w.data)
	}
	before := w.data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return Pos{line, col}
}

func (w *walker) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset) - 1
		if off < 0 {
			off = 0
		}
		e := &SyntaxError{Pos: w.at(off), Msg: se.Error()}
		rest := w.data[min(off, len(w.data)):]
		switch {
		case bytes.HasPrefix(rest, []byte("//")) || bytes.HasPrefix(rest, []byte("/*")) || bytes.HasPrefix(rest, []byte("#")):
			e.Hint = "JSON has no comments; delete the comment"
		case bytes.HasPrefix(rest, []byte("}")) || bytes.HasPrefix(rest, []byte("]")):
			e.Hint = "remove the trailing comma before it"
		case bytes.HasPrefix(rest, []byte("{{")) || bytes.Contains(w.data, []byte("{{")) && bytes.HasPrefix(rest, []byte("{")):
			e.Hint = "an unrendered template placeholder; render the template before installing the file"
		case bytes.HasPrefix(rest, []byte("'")):
			e.Hint = "JSON strings use double quotes"
		case bytes.HasPrefix(rest, []byte("{")):
			e.Hint = "an object needs a key before it"
		}
		return e
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &SyntaxError{Pos: w.at(len(w.data)), Msg: "unexpected end of file", Hint: "a closing brace or bracket is missing"}
	}
	if e, ok := err.(*SyntaxError); ok {
		return e
	}
	return &SyntaxError{Pos: w.at(w.start), Msg: err.Error()}
}

// object reads the members of an object whose '{' was just read.
func (w *walker) object(path string, depth int) (map[string]any, error) {
	if depth > maxDepth {
		return nil, &SyntaxError{Pos: w.at(w.start), Msg: "nesting is too deep"}
	}
	m := map[string]any{}
	for {
		tok, err := w.token()
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return m, nil
		}
		key, ok := tok.(string)
		if !ok {
			return nil, &SyntaxError{Pos: w.at(w.start), Msg: "expected a key string"}
		}
		full := key
		if path != "" {
			full = path + "." + key
		}
		p := w.at(w.start)
		if prev, dup := w.c.pos[full]; dup {
			w.c.problems = append(w.c.problems, Problem{Code: CodeDuplicateKey, Key: full, Pos: p,
				Message: fmt.Sprintf("key %q appears twice (first at %s); dockerd silently keeps the last value", full, prev),
				Hint:    "keep one"})
		} else if path == "" {
			w.c.keys = append(w.c.keys, key)
		}
		w.c.pos[full] = p
		val, err := w.value(full, depth+1)
		if err != nil {
			return nil, err
		}
		m[key] = val
	}
}

func (w *walker) value(path string, depth int) (any, error) {
	tok, err := w.token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return w.object(path, depth)
		case '[':
			if depth > maxDepth {
				return nil, &SyntaxError{Pos: w.at(w.start), Msg: "nesting is too deep"}
			}
			list := []any{}
			for i := 0; ; i++ {
				if !w.dec.More() {
					if _, err := w.token(); err != nil { // ']'
						return nil, err
					}
					return list, nil
				}
				x, err := w.value(fmt.Sprintf("%s[%d]", path, i), depth+1)
				if err != nil {
					return nil, err
				}
				list = append(list, x)
			}
		}
		return nil, &SyntaxError{Pos: w.at(w.start), Msg: fmt.Sprintf("unexpected %q", string(t))}
	default:
		return t, nil
	}
}
