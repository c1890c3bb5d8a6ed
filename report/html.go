package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/safedock/safedock/rule"
)

// HTML rendering: one self-contained page (inline CSS and JS, no external
// script, style sheet, font or image; a Content-Security-Policy forbids
// loading any), every value escaped by html/template.
//
// The page shows who made the report, about which host, when and against
// which benchmark; a banner when the report is incomplete; counts by
// status and failures by severity; one summary row per section (an
// incomplete section is marked and says why); then the findings, failing
// ones first (the errors that stop dockerd before all), each with its
// detail and remediation. Filters by section and status hide rows with
// inline JS; the URL fragment holds them (#section=daemon&status=fail,warn),
// so a filtered view can be linked, and the page applies it on load.

// statusOrder is the order findings are listed in, failing first.
var statusOrder = []rule.Status{rule.StatusFail, rule.StatusWarn, rule.StatusWaived, rule.StatusSkip, rule.StatusPass}

type htmlFinding struct {
	rule.Finding
	Section      string
	StopsDockerd bool
	CISText      string
}

type htmlSection struct {
	Name                           string
	Fail, Warn, Waived, Skip, Pass int
	Incomplete                     bool
	Reason                         string
	Skipped                        string
	order                          int
}

type htmlSeverity struct {
	Name  string
	Count int
}

type htmlPage struct {
	Report     rule.Report
	Benchmark  string
	Sections   []htmlSection
	Severities []htmlSeverity
	Findings   []htmlFinding
	Statuses   []rule.Status
	Stops      int
}

func writeHTML(w io.Writer, r rule.Report, opts Options) error {
	page := htmlPage{Report: r, Benchmark: r.BenchmarkOrDefault().Title(), Statuses: statusOrder}
	secs := map[string]*htmlSection{}
	section := func(name string) *htmlSection {
		if s, ok := secs[name]; ok {
			return s
		}
		s := &htmlSection{Name: name, order: len(opts.Sections) + len(secs)}
		secs[name] = s
		return s
	}
	for i, si := range opts.Sections {
		s := section(string(si.Section))
		s.Skipped, s.order = si.Skipped, i
	}
	for _, f := range r.Findings {
		hf := htmlFinding{Finding: f, Section: string(rule.SectionOf(f.Rule)), StopsDockerd: StopsDockerd(f), CISText: strings.Join(f.CIS, ", ")}
		if hf.StopsDockerd {
			page.Stops++
		}
		s := section(hf.Section)
		switch f.Status {
		case rule.StatusFail:
			s.Fail++
		case rule.StatusWarn:
			s.Warn++
		case rule.StatusWaived:
			s.Waived++
		case rule.StatusSkip:
			s.Skip++
		case rule.StatusPass:
			s.Pass++
		}
		page.Findings = append(page.Findings, hf)
	}
	for _, g := range r.Incomplete {
		s := section(cmp.Or(g.Section, "audit"))
		s.Incomplete = true
		s.Reason = strings.TrimPrefix(strings.Join([]string{s.Reason, g.Reason}, "; "), "; ")
	}
	for _, s := range secs {
		page.Sections = append(page.Sections, *s)
	}
	// The sections given, in their order, then the others in the order
	// the (sorted) findings name them.
	slices.SortStableFunc(page.Sections, func(a, b htmlSection) int { return cmp.Compare(a.order, b.order) })
	for sev := rule.SeverityCritical; sev >= rule.SeverityInfo; sev-- {
		page.Severities = append(page.Severities, htmlSeverity{Name: sev.String(), Count: r.Summary.FailBySeverity[sev.String()]})
	}
	// Failing first: the errors that stop dockerd, then by status, then the
	// most severe; report order (target, rule) within.
	slices.SortStableFunc(page.Findings, func(a, b htmlFinding) int {
		stop := func(f htmlFinding) int {
			if f.StopsDockerd {
				return 0
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(stop(a), stop(b)),
			cmp.Compare(slices.Index(statusOrder, a.Status), slices.Index(statusOrder, b.Status)),
			cmp.Compare(b.Severity, a.Severity),
		)
	})
	var buf bytes.Buffer
	if err := htmlTemplate().Execute(&buf, page); err != nil {
		return fmt.Errorf("rendering html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing html: %w", err)
	}
	return nil
}

// htmlTemplate is parsed on first use: most runs never render HTML.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"upper": func(s rule.Status) string { return strings.ToUpper(string(s)) },
	}).Parse(htmlSource))
})

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'none'; font-src 'none'; connect-src 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>safedock report — {{.Benchmark}}</title>
<style>
:root { --fail:#b3261e; --warn:#9a6700; --waived:#0b6e99; --skip:#5f6368; --pass:#1e7d32; --line:#d7dbe0; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { background: #1f2937; color: #f9fafb; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header dl { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 6px 0 0; font-size: 13px; }
header dl div { display: flex; gap: 6px; }
header dt { color: #9ca3af; }
header dd { margin: 0; color: #f3f4f6; overflow-wrap: anywhere; }
main { padding: 16px 24px 40px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.banner { border-left: 6px solid var(--fail); background: #fdecea; padding: 10px 14px; margin: 16px 0; }
.banner strong { color: var(--fail); }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.stops { border-left-color: #7f1d1d; background: #fde2e2; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 110px; background: var(--bg); }
.card .n { font-size: 22px; font-weight: 700; display: block; }
.card.fail .n { color: var(--fail); } .card.warn .n { color: var(--warn); } .card.waived .n { color: var(--waived); }
.card.skip .n { color: var(--skip); } .card.pass .n { color: var(--pass); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sev-table { width: auto; min-width: 320px; }
.status { display: inline-block; min-width: 56px; text-align: center; border-radius: 4px; padding: 1px 6px; font-size: 12px; font-weight: 700; color: #fff; }
.status.fail { background: var(--fail); } .status.warn { background: var(--warn); } .status.waived { background: var(--waived); }
.status.skip { background: var(--skip); } .status.pass { background: var(--pass); }
.incomplete { color: var(--fail); font-weight: 700; }
tr.section-incomplete td { background: #fff4f2; }
.filters { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); margin-bottom: 10px; }
.filters label { white-space: nowrap; }
.findings td.target, .findings td.rule { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.findings td.target { overflow-wrap: anywhere; min-width: 220px; max-width: 340px; }
.findings td.rule { white-space: nowrap; }
.findings td.cis { white-space: nowrap; }
tr[data-severity] td.num.nonzero { font-weight: 700; color: var(--fail); }
.findings td.what { min-width: 320px; }
.detail, .fix { margin-top: 4px; font-size: 13px; }
.detail { color: #57606a; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-word; }
.fix { border-left: 3px solid var(--pass); padding-left: 8px; }
.tag-stops { display: inline-block; background: #7f1d1d; color: #fff; border-radius: 4px; padding: 0 6px; font-size: 11px; font-weight: 700; margin-right: 6px; }
#shown { color: #57606a; }
</style>
</head>
<body>
<header>
<h1>safedock audit report</h1>
<dl id="meta">
<div><dt>Benchmark</dt><dd id="meta-benchmark">{{.Benchmark}}</dd></div>
{{with .Report.Host}}<div><dt>Host</dt><dd id="meta-host">{{or .Hostname "?"}}{{if .Address}} at {{.Address}}{{end}}{{if .EngineVersion}} · {{or .Engine "engine"}} {{.EngineVersion}}{{end}}{{if .DaemonID}} · daemon {{.DaemonID}}{{end}}</dd></div>{{end}}
{{with .Report.Generated}}<div><dt>Generated</dt><dd id="meta-generated">{{.}}</dd></div>{{end}}
{{with .Report.Tool}}<div><dt>Tool</dt><dd id="meta-tool">{{.Name}} {{.Version}}{{if .Revision}} ({{.Revision}}){{end}}</dd></div>{{end}}
{{with .Report.FailOn}}<div><dt>Fail on</dt><dd id="meta-fail-on">{{.}} and above</dd></div>{{end}}
</dl>
</header>
<main>
{{if not .Report.Complete}}<div class="banner" id="incomplete"><strong>INCOMPLETE: this is not a clean result.</strong> Parts of the host were not examined; what they hide is not reported as passed.
<ul>{{range .Report.Incomplete}}<li>{{if .Section}}<b>{{.Section}}</b>: {{end}}{{.Reason}}</li>{{end}}</ul></div>{{end}}
{{if .Stops}}<div class="banner stops" id="stops"><strong>dockerd would not start:</strong> {{.Stops}} error(s) in its configuration come first below.</div>{{end}}

<h2>Summary</h2>
<div class="cards" id="summary">
<div class="card"><span class="n">{{.Report.Summary.Total}}</span>findings on {{.Report.Summary.Targets}} targets</div>
<div class="card fail"><span class="n">{{.Report.Summary.Fail}}</span>fail</div>
<div class="card warn"><span class="n">{{.Report.Summary.Warn}}</span>warn</div>
<div class="card waived"><span class="n">{{.Report.Summary.Waived}}</span>waived</div>
<div class="card skip"><span class="n">{{.Report.Summary.Skip}}</span>skip (not checked)</div>
<div class="card pass"><span class="n">{{.Report.Summary.Pass}}</span>pass</div>
</div>

<h2>Failures by severity</h2>
<table class="sev-table" id="severities">
<tr><th>Severity</th><th class="num">Failing findings</th></tr>
{{range .Severities}}<tr data-severity="{{.Name}}"><td>{{.Name}}</td><td class="num{{if .Count}} nonzero{{end}}">{{.Count}}</td></tr>
{{end}}</table>

<h2>Sections</h2>
<table id="sections">
<tr><th>Section</th><th class="num">Fail</th><th class="num">Warn</th><th class="num">Waived</th><th class="num">Skip</th><th class="num">Pass</th><th>State</th></tr>
{{range .Sections}}<tr class="section{{if .Incomplete}} section-incomplete{{end}}" data-section="{{.Name}}"><td>{{.Name}}</td><td class="num">{{.Fail}}</td><td class="num">{{.Warn}}</td><td class="num">{{.Waived}}</td><td class="num">{{.Skip}}</td><td class="num">{{.Pass}}</td><td>{{if .Incomplete}}<span class="incomplete">INCOMPLETE</span>: {{.Reason}}{{else if .Skipped}}skipped: {{.Skipped}}{{else}}complete{{end}}</td></tr>
{{end}}</table>

<h2>Findings</h2>
<form class="filters" id="filters" onsubmit="return false">
<label>Section <select id="f-section"><option value="">all sections</option>{{range .Sections}}<option value="{{.Name}}">{{.Name}}</option>{{end}}</select></label>
<span>Status {{range .Statuses}}<label><input type="checkbox" class="f-status" value="{{.}}" checked> {{.}}</label> {{end}}</span>
<span id="shown"></span>
</form>
<table class="findings" id="findings">
<tr><th>Status</th><th>Severity</th><th>Section</th><th>Target</th><th>Rule</th><th>CIS</th><th>Finding</th></tr>
{{range .Findings}}<tr class="finding" data-section="{{.Section}}" data-status="{{.Status}}" data-rule="{{.Rule}}">
<td><span class="status {{.Status}}">{{upper .Status}}</span></td><td>{{.Severity}}</td><td>{{.Section}}</td><td class="target">{{.Target}}</td><td class="rule">{{.Rule}}</td><td class="cis">{{or .CISText "—"}}</td>
<td class="what">{{if .StopsDockerd}}<span class="tag-stops">STOPS DOCKERD</span>{{end}}{{.Reason}}{{if .Detail}}<div class="detail">{{.Detail}}</div>{{end}}{{if and .Remediation (ne .Status "waived")}}<div class="fix"><b>Fix:</b> {{.Remediation}}</div>{{end}}</td></tr>
{{end}}</table>
</main>
<script>
(function () {
  var sel = document.getElementById("f-section");
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".f-status"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  function apply() {
    var want = {};
    boxes.forEach(function (b) { want[b.value] = b.checked; });
    var n = 0;
    rows.forEach(function (r) {
      var show = (!sel.value || r.dataset.section === sel.value) && want[r.dataset.status];
      r.hidden = !show;
      if (show) { n++; }
    });
    document.getElementById("shown").textContent = n + " of " + rows.length + " findings shown";
    var st = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }).join(",");
    var frag = "section=" + encodeURIComponent(sel.value) + "&status=" + encodeURIComponent(st);
    if (location.hash.slice(1) !== frag) { try { history.replaceState(null, "", "#" + frag); } catch (e) {} }
  }
  function fromHash() {
    var params = {};
    location.hash.slice(1).split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); }
    });
    if ("section" in params) { sel.value = params.section; if (sel.value !== params.section) { sel.value = ""; } }
    if ("status" in params) {
      var st = params.status.split(",");
      boxes.forEach(function (b) { b.checked = st.indexOf(b.value) >= 0; });
    }
  }
  sel.addEventListener("change", apply);
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
})();
</script>
</body>
</html>
`
