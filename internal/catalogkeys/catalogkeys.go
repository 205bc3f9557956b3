// Package catalogkeys finds the catalogue keys a package's code names as
// string literals, for the tests that check each one is in the catalogue
// in every language, so no message shows a bare key.
package catalogkeys

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
)

// Key is a literal key and where it stands in the code.
type Key struct {
	Key, Pos string
}

// Arg picks the argument of a call that holds a key, or nil when the call
// names none.
type Arg func(call *ast.CallExpr) ast.Expr

// InDir returns the string literals arg picks in the calls of the Go files
// of dir, tests left out.
func InDir(dir string, arg Arg) ([]Key, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var keys []Key
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			lit, ok := arg(call).(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			k, err := strconv.Unquote(lit.Value)
			if err == nil {
				keys = append(keys, Key{Key: k, Pos: fset.Position(lit.Pos()).String()})
			}
			return true
		})
	}
	return keys, nil
}
