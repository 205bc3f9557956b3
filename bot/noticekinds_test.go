package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoticeKindsComplete reads this package's source: every constant of
// type NoticeKind is in NoticeKinds, so a test over every kind (no note in a
// channel post) also covers a kind added later.
func TestNoticeKindsComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := map[NoticeKind]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "NoticeKind" {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: not a string literal", n.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					declared[NoticeKind(v)] = n.Name
				}
			}
		}
	}
	if len(declared) < 10 {
		t.Fatalf("found %d NoticeKind constants; the source reader is broken", len(declared))
	}
	listed := map[NoticeKind]bool{}
	for _, k := range NoticeKinds {
		if listed[k] {
			t.Errorf("NoticeKinds lists %s twice", k)
		}
		listed[k] = true
		if _, ok := declared[k]; !ok {
			t.Errorf("NoticeKinds lists %s, which is no declared constant", k)
		}
	}
	for k, name := range declared {
		if !listed[k] {
			t.Errorf("%s (%q) is missing from NoticeKinds", name, k)
		}
	}
}
