package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/catalog"
)

// TestCatalogKeysUsed checks that every key the command layer passes to
// catalog.Text or say as a literal is in the catalogue, in each language,
// so no reply shows a bare key.
func TestCatalogKeysUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var arg ast.Expr
			switch fn := call.Fun.(type) {
			case *ast.Ident: // say("err.busy", …)
				if fn.Name == "say" {
					arg = call.Args[0]
				}
			case *ast.SelectorExpr: // catalog.Text(l, "done.ok", …)
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "catalog" && fn.Sel.Name == "Text" && len(call.Args) > 1 {
					arg = call.Args[1]
				}
			}
			lit, ok := arg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			used++
			for _, l := range []string{catalog.LangNL, catalog.LangEN} {
				// Text answers a key it does not know with the key.
				if catalog.Text(l, key) == key {
					t.Errorf("%s: key %q is not in the %s catalogue", fset.Position(lit.Pos()), key, l)
				}
			}
			return true
		})
	}
	if used < 40 {
		t.Errorf("found %d literal keys in the code; the scan looks broken", used)
	}
}
