package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hulpbot/hulpbot/internal/fuzzy"
)

// Load reads the configuration file at path; see Parse.
func Load(path string, getenv func(string) string) (*Config, error) {
	return load(path, getenv, false)
}

// LoadForSetup reads the configuration file at path for hulpbot
// mattermost-setup, which makes the Mattermost bot and command tokens:
// those may be missing yet; everything else is checked as Load does.
func LoadForSetup(path string, getenv func(string) string) (*Config, error) {
	return load(path, getenv, true)
}

func load(path string, getenv func(string) string, setup bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := parse(data, getenv, setup)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse reads a configuration from YAML: defaults, then the YAML (unknown
// fields are errors), then ${VAR} expansion in string values, then the
// environment overrides of ApplyEnv. getenv may be nil (an empty
// environment). A file that is not YAML gives a plain error; everything else
// that is wrong comes back at once as a *ValidationError.
func Parse(data []byte, getenv func(string) string) (*Config, error) {
	return parse(data, getenv, false)
}

func parse(data []byte, getenv func(string) string, setup bool) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	c := Defaults()
	problems, whole, err := decode(data, c)
	if err != nil {
		return nil, err
	}
	if !whole {
		// Part of the file was not read at all: checking the rest would
		// report fields as missing that are there.
		return nil, &ValidationError{Problems: problems}
	}
	x := expander{getenv: getenv, unset: map[string][]string{}}
	x.walk(reflect.ValueOf(c).Elem(), "")
	problems = append(problems, x.problems...)
	for _, field := range c.applyEnv(getenv) {
		delete(x.unset, field)
	}

	v := validator{unset: x.unset, skip: map[string]bool{}, setup: setup}
	for _, p := range problems {
		v.skip[p.Field] = true // reported already
	}
	if c.RedisURL == "" {
		// A file names its Redis: the embedded one is for the demo only.
		v.required("redis_url", "")
	}
	v.config(c)
	problems = append(problems, v.problems...)
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

// decode reads the first YAML document of data into c, strictly. Type errors
// and unknown fields become problems with field paths; whole is false when
// yaml.v3 skipped a mapping entirely (it does so for duplicate keys). A
// syntax error is returned as err.
func decode(data []byte, c *Config) (problems []Problem, whole bool, err error) {
	defer func() {
		// yaml.v3 turns its own failures into errors; should anything else
		// escape it, a bad file must still not crash the program.
		if r := recover(); r != nil {
			problems, whole, err = nil, false, fmt.Errorf("config: cannot read YAML: %v", r)
		}
	}()
	whole = true
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(c); {
	case errors.Is(err, io.EOF): // an empty file: defaults only
		return nil, true, nil
	case err != nil:
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, false, fmt.Errorf("config: %w", err)
		}
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root) // it parsed above
		idx := indexNodes(&root)
		for _, msg := range te.Errors {
			if strings.Contains(msg, "already defined at line") {
				whole = false
			}
			problems = append(problems, idx.problem(msg))
		}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		problems = append(problems, Problem{Message: "the file holds more than one YAML document (---); hulpbot reads one"})
	}
	return problems, whole, nil
}

// nodeIndex finds the field path of a YAML error by its line: yaml.v3
// reports "line 7: field nmae not found in type config.Helper".
type nodeIndex struct {
	keys   []located // mapping keys
	values []located // values: mapping values and sequence items
}

type located struct {
	line int
	key  string // for keys: the key text
	kind yaml.Kind
	path string
}

func indexNodes(root *yaml.Node) *nodeIndex {
	idx := &nodeIndex{}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		if depth > 100 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinPath(path, k.Value)
				idx.keys = append(idx.keys, located{line: k.Line, key: k.Value, path: p})
				idx.values = append(idx.values, located{line: v.Line, kind: v.Kind, path: p})
				walk(v, p, depth+1)
			}
		case yaml.SequenceNode:
			for i, v := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				idx.values = append(idx.values, located{line: v.Line, kind: v.Kind, path: p})
				walk(v, p, depth+1)
			}
		}
	}
	walk(root, "", 0)
	return idx
}

var (
	lineRE      = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownRE   = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	duplicateRE = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	alreadyRE   = regexp.MustCompile(`^field (\S+) already set in type \S+$`)
	mismatchRE  = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
)

// problem turns one yaml.v3 type error into a Problem naming the field.
func (idx *nodeIndex) problem(msg string) Problem {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Message: msg}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := unknownRE.FindStringSubmatch(text); u != nil {
		msg := fmt.Sprintf("unknown field (line %d)", line)
		if s := suggest(u[1], fieldNames[u[2]]); s != "" {
			msg += "; did you mean " + s + "?"
		}
		return idx.atKey(line, u[1], msg)
	}
	if d := duplicateRE.FindStringSubmatch(text); d != nil {
		return idx.atKey(line, d[1], fmt.Sprintf("set twice (lines %s and %d)", d[2], line))
	}
	if a := alreadyRE.FindStringSubmatch(text); a != nil {
		return idx.atKey(line, a[1], fmt.Sprintf("set twice (line %d)", line))
	}
	if t := mismatchRE.FindStringSubmatch(text); t != nil {
		got := tagWords[t[1]]
		if got == "" {
			got = "!!" + t[1]
		}
		if t[2] != "" {
			got += " " + strconv.Quote(t[2])
		}
		msg := fmt.Sprintf("got %s, want %s (line %d)", got, typeWords(t[3]), line)
		kind := yaml.ScalarNode
		switch t[1] {
		case "seq":
			kind = yaml.SequenceNode
		case "map":
			kind = yaml.MappingNode
		}
		for _, l := range idx.values {
			if l.line == line && l.kind == kind {
				return Problem{Field: l.path, Message: msg}
			}
		}
		return Problem{Message: msg}
	}
	return Problem{Message: msg}
}

func (idx *nodeIndex) atKey(line int, key, msg string) Problem {
	for _, l := range idx.keys {
		if l.line == line && l.key == key {
			return Problem{Field: l.path, Message: msg}
		}
	}
	return Problem{Field: key, Message: msg}
}

var tagWords = map[string]string{
	"seq": "a list", "map": "a mapping", "str": "text", "int": "a number",
	"float": "a number", "bool": "true or false", "null": "nothing",
	"timestamp": "a date", "binary": "binary data",
}

// typeWords says in words what a Go type of this package wants in YAML.
func typeWords(goType string) string {
	switch {
	case goType == "string":
		return "text"
	case goType == "config.Duration":
		return "a duration like 2m"
	case goType == "config.Group":
		return `a group: "5" or {id: "1-2", aliases: [kleuters]}`
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "config."), strings.HasPrefix(goType, "*config."):
		return "a mapping"
	}
	return goType
}

// fieldNames lists the YAML field names of each struct type of the file, by
// the name yaml.v3 uses in its errors ("config.Helper"), for suggestions.
var fieldNames = func() map[string][]string {
	out := map[string][]string{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[Duration]() || out[t.String()] != nil {
			return
		}
		var names []string
		for f := range t.Fields() {
			if name := yamlName(f); name != "" {
				names = append(names, name)
				add(f.Type)
			}
		}
		if t == reflect.TypeFor[Retention]() {
			names = append(names, "requests") // its mapping form's
		}
		out[t.String()] = names
	}
	add(reflect.TypeFor[Config]())
	return out
}()

// suggest returns the name closest to s within two edits, or "".
func suggest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := fuzzy.Distance(strings.ToLower(s), n, 0); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// yamlName is the YAML key of a struct field, "" for fields not in YAML.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// varRE matches ${NAME}. Nothing else is special: a "$" elsewhere, as in a
// secret, stays as it is.
var varRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expander replaces ${VAR} in every string of a Config, and parses the
// Durations (which may hold ${VAR} too). It remembers which fields named a
// variable that is unset, so a required field can say so.
type expander struct {
	getenv   func(string) string
	unset    map[string][]string // field path → unset variables
	problems []Problem
}

func (x *expander) expand(path, s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return varRE.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v := x.getenv(name)
		if v == "" && !slices.Contains(x.unset[path], name) {
			x.unset[path] = append(x.unset[path], name)
		}
		return v
	})
}

// walk visits every string in v, which must be addressable, naming each by
// its YAML path.
func (x *expander) walk(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			x.walk(v.Elem(), path)
		}
	case reflect.Struct:
		if d, ok := v.Addr().Interface().(*Duration); ok {
			x.duration(d, path)
			return
		}
		if r, ok := v.Addr().Interface().(*Retention); ok {
			// The requests' retention is named "retention" in either form.
			d := Duration{Duration: r.Duration, raw: r.raw}
			x.duration(&d, path)
			r.Duration, r.raw = d.Duration, ""
			x.duration(&r.Statistics, joinPath(path, "statistics"))
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			if name := yamlName(t.Field(i)); name != "" {
				x.walk(v.Field(i), joinPath(path, name))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			x.walk(v.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			s := x.expand(joinPath(path, k.String()), v.MapIndex(k).String())
			v.SetMapIndex(k, reflect.ValueOf(s).Convert(v.Type().Elem()))
		}
	case reflect.String:
		v.SetString(x.expand(path, v.String()))
	}
}

func (x *expander) duration(d *Duration, path string) {
	if d.raw == "" {
		return
	}
	s := x.expand(path, d.raw)
	d.raw = ""
	if strings.TrimSpace(s) == "" {
		d.Duration = 0 // not set; a required one is reported by validation
		return
	}
	v, err := parseDuration(s)
	if err != nil {
		x.problems = append(x.problems, Problem{Field: path, Message: err.Error()})
		return
	}
	d.Duration = v
}
