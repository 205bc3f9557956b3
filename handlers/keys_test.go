package handlers

import (
	"go/ast"
	"testing"

	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/internal/catalogkeys"
)

// TestCatalogKeysUsed checks that every key the command layer passes to
// catalog.Text or say as a literal is in the catalogue, in each language,
// so no reply shows a bare key.
func TestCatalogKeysUsed(t *testing.T) {
	keys, err := catalogkeys.InDir(".", func(c *ast.CallExpr) ast.Expr {
		switch fn := c.Fun.(type) {
		case *ast.Ident: // say("err.busy", …)
			if fn.Name == "say" && len(c.Args) > 0 {
				return c.Args[0]
			}
		case *ast.SelectorExpr: // catalog.Text(l, "done.ok", …)
			if x, ok := fn.X.(*ast.Ident); ok && x.Name == "catalog" && fn.Sel.Name == "Text" && len(c.Args) > 1 {
				return c.Args[1]
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for _, l := range []string{catalog.LangNL, catalog.LangEN} {
			// Text answers a key it does not know with the key.
			if catalog.Text(l, k.Key) == k.Key {
				t.Errorf("%s: key %q is not in the %s catalogue", k.Pos, k.Key, l)
			}
		}
	}
	if len(keys) < 40 {
		t.Errorf("found %d literal keys in the code; the scan looks broken", len(keys))
	}
}
