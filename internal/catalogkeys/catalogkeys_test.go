package catalogkeys

import (
	"go/ast"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestInDir: literals in the picked argument are found, with their place;
// other arguments, non-literals and test files are not.
func TestInDir(t *testing.T) {
	dir := t.TempDir()
	src := `package x

func say(k string, v ...string) string { return k }

var a = say("err.busy")
var b = say("who." + "title")
var c = other("not.a.key")
var d = say(k)
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package x\n\nvar e = say(\"in.a.test\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, err := InDir(dir, func(c *ast.CallExpr) ast.Expr {
		if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "say" && len(c.Args) > 0 {
			return c.Args[0]
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range keys {
		got = append(got, k.Key)
	}
	if !slices.Equal(got, []string{"err.busy"}) {
		t.Errorf("keys = %v, want [err.busy]", got)
	}
	if len(keys) == 1 && keys[0].Pos != filepath.Join(dir, "x.go")+":5:13" {
		t.Errorf("position = %s", keys[0].Pos)
	}
	if _, err := InDir(filepath.Join(dir, "nope["), nil); err == nil {
		t.Error("a bad pattern: no error")
	}
}
