package authz

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// ContentType is the media type of Docker's plugin protocol, version 1.2.
const ContentType = "application/vnd.docker.plugins.v1.2+json"

// Plugin protocol endpoints.
const (
	PathActivate = "/Plugin.Activate"
	PathAuthZReq = "/AuthZPlugin.AuthZReq"
	PathAuthZRes = "/AuthZPlugin.AuthZRes"
)

// MaxForwardedBody is the largest request body dockerd forwards to an
// authorization plugin (pkg/authorization: bodies of 1 MiB or more, and
// bodies that are not application/json, are not forwarded).
const MaxForwardedBody = 1 << 20

// MaxPluginRequest bounds the plugin protocol request the server reads: a
// forwarded body (base64, 4/3 of its size) plus headers and certificates.
const MaxPluginRequest = 4 << 20

// Request is what dockerd sends to AuthZPlugin.AuthZReq and AuthZRes, in
// the JSON shape of moby's pkg/authorization.Request.
type Request struct {
	// User is the authenticated user (TLS client certificate subject or an
	// authentication plugin's answer); empty for a unix socket client.
	User            string `json:"User,omitempty"`
	UserAuthNMethod string `json:"UserAuthNMethod,omitempty"`
	RequestMethod   string `json:"RequestMethod,omitempty"`
	// RequestURI is the raw request URI: path, with an optional API version
	// prefix (/v1.41), and query.
	RequestURI string `json:"RequestURI,omitempty"`
	// RequestBody is only set for application/json bodies under 1 MiB.
	RequestBody    []byte            `json:"RequestBody,omitempty"`
	RequestHeaders map[string]string `json:"RequestHeaders,omitempty"`
	// RequestPeerCertificates are the TLS client's certificates, DER.
	RequestPeerCertificates [][]byte `json:"RequestPeerCertificates,omitempty"`

	ResponseStatusCode int               `json:"ResponseStatusCode,omitempty"`
	ResponseBody       []byte            `json:"ResponseBody,omitempty"`
	ResponseHeaders    map[string]string `json:"ResponseHeaders,omitempty"`
}

// Response is the plugin's answer: Allow, or a message saying why not. Err
// reports a plugin failure (dockerd refuses the request then too).
type Response struct {
	Allow bool   `json:"Allow"`
	Msg   string `json:"Msg,omitempty"`
	Err   string `json:"Err,omitempty"`
}

// Call is a decoded API request: the API version from the URL prefix
// (empty when unversioned), the cleaned path without it, and the query.
type Call struct {
	Method  string
	Version string
	Path    string
	Query   url.Values
	// Segments is Path split on "/", without the leading empty element.
	Segments []string
}

// ErrUndecodable wraps every reason DecodeRequest refuses a request.
var ErrUndecodable = errors.New("undecodable authorization request")

// DecodeRequest parses the JSON dockerd sends for one API request and its
// URI. It never panics; what it cannot parse is an error wrapping
// ErrUndecodable, which the plugin denies.
func DecodeRequest(data []byte) (*Request, *Call, error) {
	var r Request
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil, fmt.Errorf("decoding plugin request: %w: %w", ErrUndecodable, err)
	}
	c, err := ParseCall(r.RequestMethod, r.RequestURI)
	if err != nil {
		return &r, nil, err
	}
	return &r, c, nil
}

// ParseCall parses an API request's method and raw URI. A path that is not
// clean (dockerd's router would redirect it), a query that does not parse
// and a malformed version prefix are errors wrapping ErrUndecodable.
func ParseCall(method, uri string) (*Call, error) {
	if method == "" {
		return nil, fmt.Errorf("parsing request: %w: no method", ErrUndecodable)
	}
	if !strings.HasPrefix(uri, "/") {
		return nil, fmt.Errorf("parsing request %s %q: %w: URI does not start with /", method, uri, ErrUndecodable)
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("parsing request %s %q: %w: %w", method, uri, ErrUndecodable, err)
	}
	p := u.Path
	if p == "" || path.Clean(p) != p || strings.ContainsAny(p, "\x00\\") {
		return nil, fmt.Errorf("parsing request %s %q: %w: path is not clean", method, uri, ErrUndecodable)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("parsing request %s %q: %w: query: %w", method, uri, ErrUndecodable, err)
	}
	c := &Call{Method: strings.ToUpper(method), Query: q}
	if rest, ok := strings.CutPrefix(p, "/v"); ok {
		v, tail, _ := strings.Cut(rest, "/")
		if v != "" && strings.Trim(v, "0123456789.") == "" {
			if !validVersion(v) {
				return nil, fmt.Errorf("parsing request %s %q: %w: API version %q", method, uri, ErrUndecodable, v)
			}
			c.Version = v
			p = "/" + tail
		}
	}
	c.Path = p
	if p != "/" {
		c.Segments = strings.Split(p[1:], "/")
	}
	return c, nil
}

func validVersion(v string) bool {
	a, b, ok := strings.Cut(v, ".")
	if !ok {
		_, err := strconv.Atoi(a)
		return err == nil
	}
	_, err1 := strconv.Atoi(a)
	_, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil
}

// VersionBefore reports whether the call names an API version older than
// major.minor. An unversioned call is the daemon's current version.
func (c *Call) VersionBefore(major, minor int) bool {
	if c.Version == "" {
		return false
	}
	a, b, _ := strings.Cut(c.Version, ".")
	ma, _ := strconv.Atoi(a)
	mi, _ := strconv.Atoi(b)
	return ma < major || (ma == major && mi < minor)
}

// PeerSubject returns the subject of the TLS client's leaf certificate, or
// "" when dockerd passed none (a unix socket client) or it does not parse.
func (r *Request) PeerSubject() string {
	if len(r.RequestPeerCertificates) == 0 {
		return ""
	}
	cert, err := x509.ParseCertificate(r.RequestPeerCertificates[0])
	if err != nil {
		return ""
	}
	return cert.Subject.String()
}

// header returns a request header, case-insensitively.
func (r *Request) header(name string) string {
	if v, ok := r.RequestHeaders[name]; ok {
		return v
	}
	for k, v := range r.RequestHeaders {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
