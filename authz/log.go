package authz

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// DecisionLog writes one JSON line per decision:
//
//	{"time":"2026-12-01T23:59:59.123456789Z","method":"POST","path":"/v1.41/containers/create",
//	 "endpoint":"container create","target":"container:web","container":"web",
//	 "decision":"deny","mode":"enforce","rules":["container.privileged"],"waived":[],
//	 "user":"","tls_subject":"CN=ci","message":"safedock denied ..."}
//
// decision is "allow" or "deny"; in warn mode a request that breaks a rule
// is "warn" (allowed, rules listed). It is safe for concurrent use; each
// line is written with one Write call.
type DecisionLog struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
	buf []byte
}

// NewDecisionLog returns a log writing to w.
func NewDecisionLog(w io.Writer) *DecisionLog {
	return &DecisionLog{w: w, now: time.Now}
}

// Record writes the line for one decision. It returns the writer's error.
func (l *DecisionLog) Record(req *Request, call *Call, d *Decision) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	b = append(b, `{"time":"`...)
	b = l.now().UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","method":`...)
	b = appendJSONString(b, req.RequestMethod)
	b = append(b, `,"path":`...)
	p := ""
	if call != nil {
		p = call.Path
		if call.Version != "" {
			p = "/v" + call.Version + p
		}
	} else {
		p = req.RequestURI
	}
	b = appendJSONString(b, p)
	b = append(b, `,"endpoint":`...)
	b = appendJSONString(b, d.Endpoint)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, d.Target)
	if name, ok := cutTarget(d.Target, "container:"); ok {
		b = append(b, `,"container":`...)
		b = appendJSONString(b, name)
	}
	b = append(b, `,"decision":"`...)
	switch {
	case !d.Violates:
		b = append(b, "allow"...)
	case d.Allow:
		b = append(b, "warn"...)
	default:
		b = append(b, "deny"...)
	}
	b = append(b, `","mode":`...)
	b = appendJSONString(b, string(d.Mode))
	b = append(b, `,"rules":[`...)
	for i, f := range d.Violations {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(f.Rule))
	}
	b = append(b, `],"waived":[`...)
	for i, w := range d.Waived {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rule":`...)
		b = appendJSONString(b, string(w.Rule))
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, w.Reason)
		b = append(b, '}')
	}
	b = append(b, `],"user":`...)
	b = appendJSONString(b, req.User)
	b = append(b, `,"tls_subject":`...)
	b = appendJSONString(b, req.PeerSubject())
	if d.Violates {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, d.Message())
	}
	b = append(b, "}\n"...)
	l.buf = b
	_, err := l.w.Write(b)
	return err
}

func cutTarget(target, prefix string) (string, bool) {
	if len(target) > len(prefix) && target[:len(prefix)] == prefix {
		return target[len(prefix):], true
	}
	return "", false
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					b = append(b, '\\', 'n')
				case '\t':
					b = append(b, '\\', 't')
				case '\r':
					b = append(b, '\\', 'r')
				default:
					b = append(b, `\u00`...)
					b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
				}
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u`...)
			b = strconv.AppendInt(b, int64(r), 16)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
