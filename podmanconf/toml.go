package podmanconf

import (
	"fmt"
	"strconv"
	"strings"
)

// parseTOML parses the subset of TOML that containers.conf, storage.conf
// and registries.conf use: [tables], [[arrays of tables]], key = value with
// basic and literal strings, booleans, integers, floats, arrays (across
// lines, trailing commas) and inline tables, and # comments. Multi-line
// strings and dates are refused with an error, never misread.
func parseTOML(data string) (map[string]any, error) {
	p := &tomlParser{s: data, line: 1}
	root := map[string]any{}
	cur := root
	for {
		p.skipSpaceAndComments(true)
		if p.eof() {
			return root, nil
		}
		switch {
		case p.peek() == '[':
			array := strings.HasPrefix(p.s[p.i:], "[[")
			if array {
				p.i += 2
			} else {
				p.i++
			}
			keys, err := p.keyPath()
			if err != nil {
				return nil, err
			}
			if err := p.expect(']'); err != nil {
				return nil, err
			}
			if array {
				if err := p.expect(']'); err != nil {
					return nil, err
				}
			}
			t, err := openTable(root, keys, array)
			if err != nil {
				return nil, p.errf("%v", err)
			}
			cur = t
		default:
			keys, err := p.keyPath()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if err := p.expect('='); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if err := setKey(cur, keys, v); err != nil {
				return nil, p.errf("%v", err)
			}
		}
		p.skipSpace()
		if !p.eof() && p.peek() == '#' {
			p.skipComment()
		}
		if !p.eof() && p.peek() != '\n' && p.peek() != '\r' {
			return nil, p.errf("unexpected %q after a value", p.peek())
		}
	}
}

// openTable returns the table a [header] or [[header]] names, creating it.
func openTable(root map[string]any, keys []string, array bool) (map[string]any, error) {
	t := root
	for i, k := range keys {
		last := i == len(keys)-1
		switch v := t[k].(type) {
		case nil:
			if last && array {
				n := map[string]any{}
				t[k] = []map[string]any{n}
				return n, nil
			}
			n := map[string]any{}
			t[k] = n
			t = n
		case map[string]any:
			if last && array {
				return nil, fmt.Errorf("%s is a table, not an array of tables", strings.Join(keys, "."))
			}
			t = v
		case []map[string]any:
			if last && array {
				n := map[string]any{}
				t[k] = append(v, n)
				return n, nil
			}
			t = v[len(v)-1]
		default:
			return nil, fmt.Errorf("%s is a value, not a table", strings.Join(keys[:i+1], "."))
		}
	}
	return t, nil
}

func setKey(t map[string]any, keys []string, v any) error {
	for _, k := range keys[:len(keys)-1] {
		n, ok := t[k].(map[string]any)
		if !ok {
			if t[k] != nil {
				return fmt.Errorf("%s is a value, not a table", k)
			}
			n = map[string]any{}
			t[k] = n
		}
		t = n
	}
	k := keys[len(keys)-1]
	if _, dup := t[k]; dup {
		return fmt.Errorf("key %s is defined twice", strings.Join(keys, "."))
	}
	t[k] = v
	return nil
}

type tomlParser struct {
	s    string
	i    int
	line int
}

func (p *tomlParser) eof() bool  { return p.i >= len(p.s) }
func (p *tomlParser) peek() byte { return p.s[p.i] }

func (p *tomlParser) errf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.line, fmt.Sprintf(format, args...))
}

func (p *tomlParser) skipSpace() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.i++
	}
}

func (p *tomlParser) skipComment() {
	for !p.eof() && p.peek() != '\n' {
		p.i++
	}
}

// skipSpaceAndComments skips blanks, comments and (when newlines) line ends.
func (p *tomlParser) skipSpaceAndComments(newlines bool) {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
		case c == '\n' && newlines:
			p.i++
			p.line++
		case c == '#':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *tomlParser) expect(c byte) error {
	p.skipSpace()
	if p.eof() || p.peek() != c {
		return p.errf("want %q", c)
	}
	p.i++
	return nil
}

func (p *tomlParser) keyPath() ([]string, error) {
	var keys []string
	for {
		p.skipSpace()
		if p.eof() {
			return nil, p.errf("want a key")
		}
		var k string
		switch p.peek() {
		case '"', '\'':
			s, err := p.str()
			if err != nil {
				return nil, err
			}
			k = s
		default:
			start := p.i
			for !p.eof() && isBareKey(p.peek()) {
				p.i++
			}
			if start == p.i {
				return nil, p.errf("want a key, have %q", p.peek())
			}
			k = p.s[start:p.i]
		}
		keys = append(keys, k)
		p.skipSpace()
		if p.eof() || p.peek() != '.' {
			return keys, nil
		}
		p.i++
	}
}

func isBareKey(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (p *tomlParser) value() (any, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.errf("want a value")
	}
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		return p.str()
	case c == '[':
		p.i++
		out := []any{}
		for {
			p.skipSpaceAndComments(true)
			if p.eof() {
				return nil, p.errf("unterminated array")
			}
			if p.peek() == ']' {
				p.i++
				return out, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			p.skipSpaceAndComments(true)
			if !p.eof() && p.peek() == ',' {
				p.i++
			}
		}
	case c == '{':
		p.i++
		out := map[string]any{}
		for {
			p.skipSpace()
			if p.eof() {
				return nil, p.errf("unterminated inline table")
			}
			if p.peek() == '}' {
				p.i++
				return out, nil
			}
			keys, err := p.keyPath()
			if err != nil {
				return nil, err
			}
			if err := p.expect('='); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if err := setKey(out, keys, v); err != nil {
				return nil, p.errf("%v", err)
			}
			p.skipSpace()
			if !p.eof() && p.peek() == ',' {
				p.i++
			}
		}
	default:
		start := p.i
		for !p.eof() && !strings.ContainsRune(" \t\r\n,]}#", rune(p.peek())) {
			p.i++
		}
		word := p.s[start:p.i]
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		if n, err := strconv.ParseInt(strings.ReplaceAll(word, "_", ""), 0, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(word, "_", ""), 64); err == nil {
			return f, nil
		}
		return nil, p.errf("unsupported value %q", word)
	}
}

func (p *tomlParser) str() (string, error) {
	q := p.peek()
	if strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)) {
		return "", p.errf("multi-line strings are not supported")
	}
	p.i++
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\n':
			return "", p.errf("newline in a string")
		case c == '\\' && q == '"':
			if p.eof() {
				return "", p.errf("unterminated string")
			}
			e := p.peek()
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '"', '\\':
				b.WriteByte(e)
			default:
				return "", p.errf("unsupported escape \\%c", e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errf("unterminated string")
}
