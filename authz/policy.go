package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/volume"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/swarm"
)

// Mode says what the plugin does with a request that breaks a rule.
type Mode string

// Modes.
const (
	// ModeEnforce denies it.
	ModeEnforce Mode = "enforce"
	// ModeWarn allows it and logs what enforce would have denied.
	ModeWarn Mode = "warn"
)

// ParseMode parses "enforce" or "warn".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeEnforce, ModeWarn:
		return Mode(s), nil
	}
	return "", fmt.Errorf("parse mode %q: want enforce or warn", s)
}

// Facts supplies what a request does not carry: the daemon's host facts,
// the image a create names and the networks it joins. DockerFacts asks the
// daemon. Implementations must be safe for concurrent use; an error means
// "unknown", which the rules then judge (a create without a user on an
// unknown image is denied, an unknown network is denied).
type Facts interface {
	HostFacts(ctx context.Context) (hardening.HostFacts, error)
	ImageFacts(ctx context.Context, ref string) (*hardening.ImageFacts, error)
	NetworkFacts(ctx context.Context, name string) (*hardening.NetworkFacts, error)
}

// Policy judges API requests. It is safe for concurrent use.
type Policy struct {
	mode        Mode
	waivers     WaiverSource
	facts       Facts
	factTimeout time.Duration
}

// Option configures a Policy.
type Option func(*Policy) error

// WithMode sets enforce (the default) or warn.
func WithMode(m Mode) Option {
	return func(p *Policy) error {
		if _, err := ParseMode(string(m)); err != nil {
			return err
		}
		p.mode = m
		return nil
	}
}

// WithWaivers sets the approved waivers.
func WithWaivers(w WaiverSource) Option {
	return func(p *Policy) error {
		if w == nil {
			return errors.New("with waivers: nil waiver source")
		}
		p.waivers = w
		return nil
	}
}

// WithFacts sets where image, network and host facts come from, and how
// long one lookup may take.
func WithFacts(f Facts, timeout time.Duration) Option {
	return func(p *Policy) error {
		if f == nil {
			return errors.New("with facts: nil facts source")
		}
		if timeout <= 0 {
			return fmt.Errorf("with facts: timeout %v is not positive", timeout)
		}
		p.facts, p.factTimeout = f, timeout
		return nil
	}
}

// NewPolicy returns a policy in enforce mode without waivers or facts,
// changed by opts.
func NewPolicy(opts ...Option) (*Policy, error) {
	p := &Policy{mode: ModeEnforce}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(p); err != nil {
			return nil, fmt.Errorf("new policy: %w", err)
		}
	}
	return p, nil
}

// Mode returns the policy's mode.
func (p *Policy) Mode() Mode { return p.mode }

// Waived is a rule that failed and an approved waiver covered.
type Waived struct {
	Rule   rule.ID `json:"rule"`
	Reason string  `json:"reason"`
}

// Decision is the judgement of one request.
type Decision struct {
	// Allow is the answer to dockerd: false only in enforce mode.
	Allow bool
	// Violates is true when the request breaks a rule (or cannot be
	// judged): enforce mode denies it, warn mode allows and logs it.
	Violates bool
	Mode     Mode
	// Endpoint names what was judged ("container create"), or "read".
	Endpoint string
	// Target is what the rules were judged on ("container:web").
	Target string
	// Violations are the failing findings no waiver covered.
	Violations []rule.Finding
	// Waived are the failing rules an approved waiver let through.
	Waived []Waived
}

// Rules returns the IDs of the violated rules.
func (d *Decision) Rules() []rule.ID {
	out := make([]rule.ID, 0, len(d.Violations))
	for _, f := range d.Violations {
		out = append(out, f.Rule)
	}
	return out
}

// Message is the text dockerd shows the client for a denial: every
// violated rule with its reason, the remediation and how to waive it.
func (d *Decision) Message() string {
	if !d.Violates {
		return ""
	}
	var b strings.Builder
	verb := "denied"
	if d.Mode == ModeWarn {
		verb = "would deny (warn mode)"
	}
	fmt.Fprintf(&b, "safedock %s %s", verb, d.Endpoint)
	if d.Target != "" {
		fmt.Fprintf(&b, " of %s", d.Target)
	}
	b.WriteString(":")
	for i, f := range d.Violations {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " [%s] %s", f.Rule, f.Reason)
		if f.Detail != "" {
			fmt.Fprintf(&b, " (%s)", f.Detail)
		}
		if f.Remediation != "" {
			fmt.Fprintf(&b, ". Fix: %s", f.Remediation)
		}
		if f.Rule != AuthzJudgeable {
			fmt.Fprintf(&b, " Or waive it: an approved entry {rule: %s, target: %s, reason, expires, approved-by} in the waiver file", f.Rule, d.Target)
		}
	}
	return b.String()
}

// Judge decides one API request. call is the request's parsed URI (from
// DecodeRequest or ParseCall).
func (p *Policy) Judge(ctx context.Context, req *Request, call *Call) *Decision {
	d := &Decision{Mode: p.mode, Endpoint: "read"}
	p.route(ctx, req, call, d)
	d.Violates = len(d.Violations) > 0
	d.Allow = !d.Violates || p.mode == ModeWarn
	return d
}

// deny records a failure of one of the plugin's own rules (or a container
// rule outside Evaluate), applying an approved waiver when there is one.
func (p *Policy) deny(d *Decision, id rule.ID, reason, detail string) {
	r, ok := authzRules.Lookup(id)
	if !ok {
		r, ok = hardening.Rules().Lookup(id)
	}
	if !ok {
		r = rule.Rule{ID: id}
	}
	if id != AuthzJudgeable && p.waivers != nil {
		if why, ok := p.waivers.Waive(id, d.Target); ok {
			d.Waived = append(d.Waived, Waived{Rule: id, Reason: why})
			return
		}
	}
	d.Violations = append(d.Violations, r.Finding(d.Target, rule.Fail(reason, detail)))
}

func (p *Policy) unjudgeable(d *Decision, reason string) {
	p.deny(d, AuthzJudgeable, reason, "")
}

// containerRuleIDs are the container rules, in catalog order.
var containerRuleIDs = sync.OnceValue(func() []rule.ID {
	var ids []rule.ID
	for _, r := range hardening.Rules() {
		ids = append(ids, r.ID)
	}
	return ids
})

// evaluate runs hardening.Evaluate on s with the approved waivers for
// d.Target, and records the failures of the rules in only (all when nil).
// The network-isolation rule's skip for a network nobody could inspect is
// a failure here: the plugin does not let through what it cannot judge.
func (p *Policy) evaluate(s *hardening.Subject, d *Decision, only ...rule.ID) {
	s.Waivers = rule.Waivers{}
	if p.waivers != nil {
		for _, id := range containerRuleIDs() {
			if why, ok := p.waivers.Waive(id, d.Target); ok {
				s.Waivers[id] = why
			}
		}
	}
	for _, f := range hardening.Evaluate(s) {
		if only != nil && !slices.Contains(only, f.Rule) {
			continue
		}
		if f.Rule == rule.ContainerNetworkIsolation && f.Status == rule.StatusSkip {
			res := s.Waivers.Apply(f.Rule, rule.Fail("network not known to the plugin: "+strings.TrimPrefix(f.Reason, "network not inspected: "),
				"the plugin could not inspect it (no daemon connection, or it does not exist)"))
			r, _ := hardening.Rules().Lookup(f.Rule)
			f = r.Finding(f.Target, res)
		}
		switch f.Status {
		case rule.StatusFail:
			f.Target = d.Target
			d.Violations = append(d.Violations, f)
		case rule.StatusWaived:
			d.Waived = append(d.Waived, Waived{Rule: f.Rule, Reason: s.Waivers[f.Rule]})
		}
	}
}

func (p *Policy) lookupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, p.factTimeout)
}

// hostFacts returns the daemon's host facts. When they are unknown it
// assumes AppArmor and SELinux are there, so that a request turning either
// off is denied rather than skipped: the plugin fails closed.
func (p *Policy) hostFacts(ctx context.Context) hardening.HostFacts {
	assumed := hardening.HostFacts{Known: true, AppArmor: true, SELinux: true}
	if p.facts == nil {
		return assumed
	}
	c, cancel := p.lookupCtx(ctx)
	defer cancel()
	h, err := p.facts.HostFacts(c)
	if err != nil || !h.Known {
		return assumed
	}
	return h
}

func (p *Policy) imageFacts(ctx context.Context, ref string) *hardening.ImageFacts {
	if p.facts == nil || ref == "" {
		return nil
	}
	c, cancel := p.lookupCtx(ctx)
	defer cancel()
	img, err := p.facts.ImageFacts(c, ref)
	if err != nil {
		return nil
	}
	return img
}

func (p *Policy) networkFacts(ctx context.Context, name string) *hardening.NetworkFacts {
	if p.facts == nil {
		return nil
	}
	c, cancel := p.lookupCtx(ctx)
	defer cancel()
	n, err := p.facts.NetworkFacts(c, name)
	if err != nil {
		return nil
	}
	return n
}

// body returns the forwarded request body, or records why there is none:
// dockerd forwards only application/json bodies of less than 1 MiB.
func (p *Policy) body(req *Request, d *Decision) ([]byte, bool) {
	if len(req.RequestBody) > 0 {
		return req.RequestBody, true
	}
	why := "the request has no body"
	if ct := req.header("Content-Type"); ct != "" && ct != "application/json" {
		why = fmt.Sprintf("dockerd did not forward the body (Content-Type %q: only application/json is forwarded)", ct)
	} else if cl := req.header("Content-Length"); cl != "" && cl != "0" {
		why = fmt.Sprintf("dockerd did not forward the body (Content-Length %s: only bodies under 1 MiB are forwarded)", cl)
	}
	p.unjudgeable(d, why)
	return nil, false
}

// decodeStrict decodes body into v and checks that every key of the JSON
// object (and of the nested objects named in nested) is a field of v's
// type, or carries a zero value: a key dockerd may know and the plugin does
// not must not slip a setting past it. Every occurrence of a key counts:
// encoding/json merges a repeated object or map key into one value, so a
// later empty duplicate does not hide an earlier one.
func (p *Policy) decodeStrict(d *Decision, body []byte, v any, known map[string]bool, nested map[string]map[string]bool) bool {
	if err := json.Unmarshal(body, v); err != nil {
		p.unjudgeable(d, "the body does not decode: "+err.Error())
		return false
	}
	var problem string
	err := forEachMember(body, func(k string, raw json.RawMessage) bool {
		name, ok := knownKey(known, k)
		if !ok {
			if !zeroJSON(raw) {
				problem = fmt.Sprintf("unknown field %q with a value: the plugin cannot judge it (a legacy top-level HostConfig field?)", k)
				return false
			}
			return true
		}
		sub, ok := nested[name]
		if !ok || string(raw) == "null" {
			return true
		}
		ierr := forEachMember(raw, func(ik string, iraw json.RawMessage) bool {
			if _, ok := knownKey(sub, ik); !ok && !zeroJSON(iraw) {
				problem = fmt.Sprintf("unknown field %s.%s with a value: the plugin cannot judge it", name, ik)
				return false
			}
			return true
		})
		if ierr != nil && problem == "" {
			problem = fmt.Sprintf("field %s is not a JSON object: %v", name, ierr)
		}
		return problem == ""
	})
	if err != nil && problem == "" {
		problem = "the body is not a JSON object: " + err.Error()
	}
	if problem != "" {
		p.unjudgeable(d, problem)
		return false
	}
	return true
}

// forEachMember calls fn for every member of the JSON object in data, in
// order and duplicates included, until fn returns false.
func forEachMember(data []byte, fn func(key string, val json.RawMessage) bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return errors.New("not an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("object key is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if !fn(key, raw) {
			return nil
		}
	}
	return nil
}

// knownKey finds k among known the way encoding/json matches keys to
// fields (case-insensitively), returning the field's canonical name.
func knownKey(known map[string]bool, k string) (string, bool) {
	if known[k] {
		return k, true
	}
	for n := range known {
		if strings.EqualFold(n, k) {
			return n, true
		}
	}
	return "", false
}

// zeroJSON reports whether raw is null, false, a zero number, "", [] or {}.
func zeroJSON(raw json.RawMessage) bool {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return false
	}
	switch b.String() {
	case "null", "false", `""`, "[]", "{}":
		return true
	}
	var f float64
	if c := b.Bytes()[0]; (c == '-' || (c >= '0' && c <= '9')) && json.Unmarshal(b.Bytes(), &f) == nil && f == 0 {
		return true
	}
	return false
}

// jsonFields returns the JSON keys encoding/json decodes into t's fields,
// embedded structs included.
func jsonFields(t reflect.Type, extra ...string) map[string]bool {
	out := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			out[name] = true
		}
	}
	walk(t)
	for _, e := range extra {
		out[e] = true
	}
	return out
}

var (
	createKeys = sync.OnceValue(func() map[string]bool {
		return jsonFields(reflect.TypeFor[container.CreateRequest]())
	})
	hostConfigKeys = sync.OnceValue(func() map[string]bool {
		return jsonFields(reflect.TypeFor[container.HostConfig]())
	})
	updateKeys = sync.OnceValue(func() map[string]bool {
		return jsonFields(reflect.TypeFor[container.UpdateConfig]())
	})
	execKeys = sync.OnceValue(func() map[string]bool {
		return jsonFields(reflect.TypeFor[container.ExecCreateRequest]())
	})
)

// route dispatches on the endpoint. Reads are allowed; every write endpoint
// is listed; what is not listed is denied.
func (p *Policy) route(ctx context.Context, req *Request, c *Call, d *Decision) {
	switch c.Method {
	case "GET", "HEAD", "OPTIONS":
		return
	case "POST", "PUT", "DELETE":
	default:
		d.Endpoint = c.Method + " " + c.Path
		p.unjudgeable(d, "unknown HTTP method "+c.Method)
		return
	}
	seg := c.Segments
	n := len(seg)
	first := ""
	if n > 0 {
		first = seg[0]
	}
	last := ""
	if n > 0 {
		last = seg[n-1]
	}
	d.Endpoint = strings.ToLower(c.Method) + " " + c.Path
	if c.Method == "DELETE" {
		switch first {
		case "containers", "images", "volumes", "networks", "plugins", "services", "secrets", "configs", "nodes":
			if n >= 2 {
				return
			}
		}
		p.unjudgeable(d, "unknown endpoint "+c.Method+" "+c.Path)
		return
	}
	if c.Method == "PUT" {
		switch {
		case first == "containers" && n == 3 && last == "archive":
			return // writes into the container's filesystem, not the host's
		case first == "volumes" && n == 2:
			return // cluster volume update
		}
		p.unjudgeable(d, "unknown endpoint "+c.Method+" "+c.Path)
		return
	}
	switch first {
	case "containers":
		switch {
		case n == 2 && seg[1] == "create":
			d.Endpoint = "container create"
			p.judgeCreate(ctx, req, c, d)
			return
		case n == 2 && seg[1] == "prune":
			return
		case n == 3 && last == "update":
			d.Endpoint, d.Target = "container update", "container:"+seg[1]
			p.judgeUpdate(req, d)
			return
		case n == 3 && last == "exec":
			d.Endpoint, d.Target = "exec create", "container:"+seg[1]
			p.judgeExec(req, d)
			return
		case n == 3 && last == "start":
			d.Endpoint, d.Target = "container start", "container:"+seg[1]
			if c.VersionBefore(1, 24) {
				p.unjudgeable(d, fmt.Sprintf("API %s accepts a HostConfig on start, which the plugin does not judge: use API 1.24 or later", c.Version))
			}
			return
		case n == 3:
			switch last {
			case "stop", "kill", "restart", "pause", "unpause", "wait", "resize", "attach", "rename", "copy", "checkpoints":
				return
			}
		}
	case "exec":
		if n == 3 && (last == "start" || last == "resize") {
			return
		}
	case "images":
		switch {
		case n == 2 && (seg[1] == "create" || seg[1] == "load" || seg[1] == "prune"):
			return
		case n >= 3 && (last == "tag" || last == "push"):
			return
		}
	case "build":
		switch {
		case n == 1:
			p.judgeBuild(c, d)
			return
		case n == 2 && (seg[1] == "prune" || seg[1] == "cancel"):
			return
		}
	case "commit", "auth":
		if n == 1 {
			return
		}
	case "session", "grpc":
		if n == 1 {
			d.Endpoint, d.Target = "BuildKit "+first, "build:"+first
			p.deny(d, AuthzBuildKit, "BuildKit "+first+" streams are not visible to the plugin", "POST /"+first)
			return
		}
	case "volumes":
		switch {
		case n == 2 && seg[1] == "create":
			d.Endpoint = "volume create"
			p.judgeVolume(req, d)
			return
		case n == 2 && seg[1] == "prune":
			return
		}
	case "networks":
		switch {
		case n == 2 && (seg[1] == "create" || seg[1] == "prune"):
			return
		case n == 3 && last == "disconnect":
			return
		case n == 3 && last == "connect":
			d.Endpoint = "network connect"
			p.judgeConnect(ctx, req, seg[1], d)
			return
		}
	case "plugins":
		switch {
		case n == 2 && (seg[1] == "pull" || seg[1] == "create"):
			name := firstNonEmpty(c.Query.Get("name"), c.Query.Get("remote"))
			d.Endpoint, d.Target = "plugin "+seg[1], "plugin:"+name
			p.deny(d, AuthzPluginInstall, "installing a managed plugin", "plugin "+name)
			return
		case n >= 3 && (last == "upgrade" || last == "set"):
			name := strings.Join(seg[1:n-1], "/")
			d.Endpoint, d.Target = "plugin "+last, "plugin:"+name
			p.deny(d, AuthzPluginInstall, last+" of a managed plugin", "plugin "+name)
			return
		case n >= 3 && (last == "enable" || last == "disable" || last == "push"):
			return // an installed plugin was approved when it was installed
		}
	case "services":
		switch {
		case n == 2 && seg[1] == "create":
			d.Endpoint = "service create"
			p.judgeService(ctx, req, d)
			return
		case n == 3 && last == "update":
			d.Endpoint = "service update"
			p.judgeService(ctx, req, d)
			return
		}
	case "swarm":
		if n == 2 {
			switch seg[1] {
			case "init", "join":
				d.Endpoint, d.Target = "swarm "+seg[1], "swarm:"+seg[1]
				p.deny(d, AuthzSwarmMembership, "swarm tasks bypass the authorization plugin", "POST /swarm/"+seg[1])
				return
			case "leave", "update", "unlock":
				return
			}
		}
	case "secrets", "configs":
		if (n == 2 && seg[1] == "create") || (n == 3 && last == "update") {
			return
		}
	case "nodes":
		if n == 3 && last == "update" {
			return
		}
	}
	p.unjudgeable(d, "unknown endpoint "+c.Method+" "+c.Path)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (p *Policy) judgeCreate(ctx context.Context, req *Request, c *Call, d *Decision) {
	name := strings.TrimPrefix(c.Query.Get("name"), "/")
	d.Target = "container:" + name
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var cr container.CreateRequest
	if !p.decodeStrict(d, body, &cr, createKeys(), map[string]map[string]bool{"HostConfig": hostConfigKeys()}) {
		return
	}
	if cr.Config == nil {
		cr.Config = &container.Config{}
	}
	if cr.HostConfig == nil {
		cr.HostConfig = &container.HostConfig{}
	}
	if cr.NetworkingConfig == nil {
		cr.NetworkingConfig = &network.NetworkingConfig{}
	}
	s := p.containerSubject(ctx, name, cr.Config, cr.HostConfig, cr.NetworkingConfig)
	p.evaluate(s, d)
	if cr.HostConfig.MaskedPaths != nil || cr.HostConfig.ReadonlyPaths != nil {
		p.deny(d, AuthzSystemPaths, "MaskedPaths or ReadonlyPaths replace the default masks", fmt.Sprintf("HostConfig.MaskedPaths=%v ReadonlyPaths=%v", cr.HostConfig.MaskedPaths, cr.HostConfig.ReadonlyPaths))
	}
}

// containerSubject is the subject hardening's rules judge for a create:
// the request's own Config and HostConfig, the image and network facts the
// daemon has, and no waivers (evaluate adds the approved ones; labels do
// not count).
func (p *Policy) containerSubject(ctx context.Context, name string, cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig) *hardening.Subject {
	sp := &hardening.Spec{Name: name, Config: cfg, HostConfig: hc, Networking: nc}
	s := sp.Subject()
	if name == "" {
		s.Name = ""
	}
	s.Mounts = addMounts(s.Mounts, bindMounts(hc.Binds))
	s.Mounts = addMounts(s.Mounts, volumeMounts(hc.Mounts))
	s.Host = p.hostFacts(ctx)
	if img := p.imageFacts(ctx, cfg.Image); img != nil {
		s.Image, s.ImageID = img, img.ID
	}
	s.Networks = nil
	var names []string
	switch mode := string(hc.NetworkMode); {
	case mode == "" || mode == "default":
		names = append(names, "bridge")
	case mode == "none" || mode == "host" || strings.HasPrefix(mode, "container:"):
	default:
		names = append(names, mode)
	}
	for n := range nc.EndpointsConfig {
		if !slices.Contains(names, n) && n != "none" && n != "host" {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		s.Networks = make(map[string]*hardening.NetworkFacts, len(names))
		for _, n := range names {
			s.Networks[n] = p.networkFacts(ctx, n)
		}
	}
	return s
}

// addMounts appends the mounts of add that ms does not hold yet.
func addMounts(ms, add []hardening.Mount) []hardening.Mount {
	for _, m := range add {
		if !slices.ContainsFunc(ms, func(o hardening.Mount) bool {
			return o.Source == m.Source && o.Destination == m.Destination && o.RW == m.RW && o.Propagation == m.Propagation
		}) {
			ms = append(ms, m)
		}
	}
	return ms
}

// bindMounts reads host paths out of Binds leniently: hardening's parser
// skips an entry it does not accept (an option such as "delegated" that
// dockerd takes), and the plugin must still see the host path.
func bindMounts(binds []string) []hardening.Mount {
	var out []hardening.Mount
	for _, b := range binds {
		parts := strings.Split(b, ":")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], "/") {
			continue
		}
		m := hardening.Mount{Type: mount.TypeBind, Source: path.Clean(parts[0]), Destination: parts[1], RW: true}
		if len(parts) > 2 {
			for _, o := range strings.Split(strings.Join(parts[2:], ","), ",") {
				switch o {
				case "ro":
					m.RW = false
				case "shared", "rshared", "slave", "rslave", "private", "rprivate":
					m.Propagation = mount.Propagation(o)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// volumeMounts returns the host paths that volume mounts of the local
// driver bind: a Mounts entry of type volume can create its volume inline
// with DriverConfig options type=none,o=bind,device=/etc.
func volumeMounts(ms []mount.Mount) []hardening.Mount {
	var out []hardening.Mount
	for _, m := range ms {
		if m.Type != mount.TypeVolume || m.VolumeOptions == nil || m.VolumeOptions.DriverConfig == nil {
			continue
		}
		dc := m.VolumeOptions.DriverConfig
		if dev := localDevice(dc.Name, dc.Options); dev != "" {
			out = append(out, hardening.Mount{Type: mount.TypeBind, Source: dev, Destination: m.Target, RW: !m.ReadOnly && !hasMountOpt(dc.Options["o"], "ro")})
		}
	}
	return out
}

// localDevice returns the host path a local-driver volume mounts (its
// device option, when it is a path), or "".
func localDevice(driver string, opts map[string]string) string {
	if driver != "" && driver != "local" {
		return ""
	}
	for k, v := range opts {
		if strings.EqualFold(k, "device") && strings.HasPrefix(strings.TrimSpace(v), "/") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func hasMountOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if strings.TrimSpace(o) == want {
			return true
		}
	}
	return false
}

func (p *Policy) judgeVolume(req *Request, d *Decision) {
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var vr volume.CreateRequest
	if err := json.Unmarshal(body, &vr); err != nil {
		p.unjudgeable(d, "the body does not decode: "+err.Error())
		return
	}
	d.Target = "volume:" + vr.Name
	dev := localDevice(vr.Driver, vr.DriverOpts)
	if dev == "" {
		return
	}
	s := &hardening.Subject{Name: vr.Name, Config: &container.Config{}, HostConfig: &container.HostConfig{},
		Mounts: []hardening.Mount{{Type: mount.TypeBind, Source: dev, Destination: "(volume " + vr.Name + ")", RW: !hasMountOpt(vr.DriverOpts["o"], "ro")}}}
	p.evaluate(s, d, rule.ContainerSensitiveMounts, rule.ContainerDockerSocket)
}

func (p *Policy) judgeUpdate(req *Request, d *Decision) {
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var u container.UpdateConfig
	if !p.decodeStrict(d, body, &u, updateKeys(), nil) {
		return
	}
	hc := &container.HostConfig{Resources: u.Resources, RestartPolicy: u.RestartPolicy}
	var only []rule.ID
	if u.Memory != 0 {
		only = append(only, rule.ContainerMemoryLimit)
	}
	if u.CPUShares != 0 {
		only = append(only, rule.ContainerCPUShares)
	}
	if u.PidsLimit != nil {
		only = append(only, rule.ContainerPidsLimit)
	}
	if len(u.Devices) > 0 || len(u.DeviceCgroupRules) > 0 || len(u.DeviceRequests) > 0 {
		only = append(only, rule.ContainerHostDevices)
	}
	if u.RestartPolicy.Name != "" {
		only = append(only, rule.ContainerRestartPolicy)
	}
	if u.CgroupParent != "" {
		only = append(only, rule.ContainerCgroupParent)
	}
	if len(only) == 0 {
		return
	}
	p.evaluate(&hardening.Subject{Name: strings.TrimPrefix(d.Target, "container:"), Config: &container.Config{}, HostConfig: hc}, d, only...)
}

func (p *Policy) judgeExec(req *Request, d *Decision) {
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var e container.ExecCreateRequest
	if !p.decodeStrict(d, body, &e, execKeys(), nil) {
		return
	}
	var only []rule.ID
	hc := &container.HostConfig{Privileged: e.Privileged}
	if e.Privileged {
		only = append(only, rule.ContainerPrivileged)
	}
	cfg := &container.Config{User: e.User}
	if e.User != "" {
		// An empty user is the container's own, judged when it was created.
		only = append(only, rule.ContainerNonRootUser)
	}
	if len(only) == 0 {
		return
	}
	p.evaluate(&hardening.Subject{Name: strings.TrimPrefix(d.Target, "container:"), Config: cfg, HostConfig: hc}, d, only...)
}

func (p *Policy) judgeConnect(ctx context.Context, req *Request, net string, d *Decision) {
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var cr struct {
		Container string
	}
	if err := json.Unmarshal(body, &cr); err != nil {
		p.unjudgeable(d, "the body does not decode: "+err.Error())
		return
	}
	d.Target = "container:" + strings.TrimPrefix(cr.Container, "/")
	switch net {
	case "none", "host":
		return // dockerd refuses to connect a running container to these
	}
	s := &hardening.Subject{Name: cr.Container, Config: &container.Config{},
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)},
		Networks:   map[string]*hardening.NetworkFacts{net: p.networkFacts(ctx, net)}}
	p.evaluate(s, d, rule.ContainerNetworkIsolation)
}

func (p *Policy) judgeBuild(c *Call, d *Decision) {
	d.Endpoint = "image build"
	d.Target = "build:" + firstNonEmpty(c.Query.Get("t"), "(untagged)")
	if c.Query.Get("version") == "2" {
		p.deny(d, AuthzBuildKit, "a BuildKit build runs over a session the plugin cannot read", "version=2")
	}
	mode := c.Query.Get("networkmode")
	if mode == "host" {
		s := &hardening.Subject{Name: d.Target, Config: &container.Config{}, HostConfig: &container.HostConfig{NetworkMode: "host"}}
		p.evaluate(s, d, rule.ContainerHostNetwork)
	}
}

func (p *Policy) judgeService(ctx context.Context, req *Request, d *Decision) {
	body, ok := p.body(req, d)
	if !ok {
		return
	}
	var spec swarmtypes.ServiceSpec
	if err := json.Unmarshal(body, &spec); err != nil {
		p.unjudgeable(d, "the body does not decode: "+err.Error())
		return
	}
	d.Target = "service:" + spec.Name
	if spec.TaskTemplate.ContainerSpec == nil {
		if spec.TaskTemplate.PluginSpec != nil {
			p.deny(d, AuthzPluginInstall, "a service that installs a managed plugin on every node", "TaskTemplate.PluginSpec")
			return
		}
		p.unjudgeable(d, "the service has no ContainerSpec")
		return
	}
	nets := map[string]*hardening.NetworkFacts{}
	for _, n := range spec.TaskTemplate.Networks {
		if f := p.networkFacts(ctx, n.Target); f != nil {
			nets[n.Target] = f
		}
	}
	if len(spec.TaskTemplate.Networks) == 0 {
		if f := p.networkFacts(ctx, "bridge"); f != nil {
			nets["bridge"] = f
		}
	}
	s := swarm.SubjectFromService(spec, p.hostFacts(ctx), nets)
	if img := p.imageFacts(ctx, s.Config.Image); img != nil {
		s.Image, s.ImageID = img, img.ID
	}
	p.evaluate(s, d)
}
