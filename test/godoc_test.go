package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportedNamesAreDocumented: every exported name of the packages other
// teams and the README's readers meet has a doc comment, as go doc shows it.
func TestExportedNamesAreDocumented(t *testing.T) {
	for _, dir := range []string{"../internal/stacks", "../internal/config", "../constructs/network", "../constructs/network/netprops", "../constructs/monitoring/alarmprops", "../constructs/database/dbprops", "../constructs/storage/storeprops", "../constructs/backup/backupprops", "../constructs/firewall/fwprops", "../constructs/web/webprops", "../constructs/backup", "../constructs/firewall", "../constructs/database", "../constructs/storage", "../constructs/web", "../constructs/monitoring", "../netcheck"} {
		fset, files := parseSources(t, dir)
		for _, f := range files {
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || exportedReceiver(d.Recv)) {
						t.Errorf("%s: func %s has no doc comment", fset.Position(d.Pos()), d.Name.Name)
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						var names []*ast.Ident
						var doc *ast.CommentGroup
						switch s := spec.(type) {
						case *ast.TypeSpec:
							names, doc = []*ast.Ident{s.Name}, s.Doc
						case *ast.ValueSpec:
							names, doc = s.Names, s.Doc
							if doc == nil {
								doc = s.Comment
							}
						}
						if doc == nil && d.Lparen == 0 {
							doc = d.Doc // a single spec's comment sits on the declaration
						}
						if doc == nil && d.Lparen != 0 && d.Doc != nil {
							doc = d.Doc // a documented group of constants or variables
						}
						for _, n := range names {
							if n.IsExported() && doc == nil {
								t.Errorf("%s: %s has no doc comment", fset.Position(n.Pos()), n.Name)
							}
						}
					}
				}
			}
		}
	}
}

func exportedReceiver(recv *ast.FieldList) bool {
	for _, f := range recv.List {
		typ := f.Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if id, ok := typ.(*ast.Ident); ok {
			return id.IsExported()
		}
	}
	return true
}

// TestReadmeStandsAlone: the README points at nothing outside the repository.
func TestReadmeStandsAlone(t *testing.T) {
	readme := docPage(t, "README.md")
	for _, outside := range []string{"../shared", "](../", "(../", "`../"} {
		if strings.Contains(readme, outside) {
			t.Errorf("the README refers to %q, outside the repository", outside)
		}
	}
}

// parseSources parses the Go files of dir but its tests, with their
// comments (no jsii: go/parser only).
func parseSources(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	must(t, "list "+dir, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		must(t, "parse "+name, err)
		files = append(files, f)
	}
	return fset, files
}

// TestConstructorsReadAsSteps: in constructs/, no function is longer than 60
// lines, and no exported constructor (New...) longer than 40: a constructor
// calls named steps (issue #22's measure, kept).
func TestConstructorsReadAsSteps(t *testing.T) {
	dirs, err := filepath.Glob("../constructs/*")
	must(t, "list constructs", err)
	for _, dir := range dirs {
		fset, files := parseSources(t, dir)
		for _, f := range files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
				limit := 60
				if fn.Recv == nil && fn.Name.IsExported() && strings.HasPrefix(fn.Name.Name, "New") {
					limit = 40
				}
				if lines > limit {
					t.Errorf("%s: %s is %d lines, more than %d; split it into named steps", fset.Position(fn.Pos()), fn.Name.Name, lines, limit)
				}
			}
		}
	}
}
