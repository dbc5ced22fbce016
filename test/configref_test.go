package test

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
)

const (
	configPage       = "docs/configuration.md"
	configRefBegin   = "<!-- BEGIN GENERATED: configuration -->\n"
	configRefEnd     = "<!-- END GENERATED: configuration -->\n"
	configRefRefresh = "go test ./test -run TestConfigurationReference -update"
)

// configPackages are the packages whose struct types make up a
// config.Environment, by the name the field types use for them.
var configPackages = map[string]string{
	"config":      "../internal/config",
	"netprops":    "../constructs/network/netprops",
	"alarmprops":  "../constructs/monitoring/alarmprops",
	"webprops":    "../constructs/web/webprops",
	"dbprops":     "../constructs/database/dbprops",
	"storeprops":  "../constructs/storage/storeprops",
	"backupprops": "../constructs/backup/backupprops",
	"fwprops":     "../constructs/firewall/fwprops",
}

// structDoc is one struct type of the configuration, as its source says.
type structDoc struct {
	doc    string
	fields *ast.FieldList
}

// readConfigTypes parses the configuration packages (no jsii: go/parser
// only) and returns their struct types, keyed "pkg.Type".
func readConfigTypes(t *testing.T) map[string]structDoc {
	t.Helper()
	out := map[string]structDoc{}
	for pkg, dir := range configPackages {
		_, files := parseSources(t, dir)
		for _, f := range files {
			for _, decl := range f.Decls {
				d, ok := decl.(*ast.GenDecl)
				if !ok || d.Tok != token.TYPE {
					continue
				}
				for _, spec := range d.Specs {
					s := spec.(*ast.TypeSpec)
					st, ok := s.Type.(*ast.StructType)
					if !ok || !s.Name.IsExported() {
						continue
					}
					doc := s.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					out[pkg+"."+s.Name.Name] = structDoc{doc: oneLine(doc), fields: st.Fields}
				}
			}
		}
	}
	return out
}

// oneLine is a comment's text as one Markdown table cell.
func oneLine(c *ast.CommentGroup) string {
	if c == nil {
		return ""
	}
	s := strings.Join(strings.Fields(c.Text()), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// typeName is a field's type as a user writes it, qualified by its package.
func typeName(pkg string, e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		if x.IsExported() {
			return pkg + "." + x.Name
		}
		return x.Name
	case *ast.ArrayType:
		return "[]" + typeName(pkg, x.Elt)
	case *ast.StarExpr:
		return "*" + typeName(pkg, x.X)
	}
	return types.ExprString(e)
}

// configSection is one struct of the reference: its field path, e.g.
// "Network.Subnets[]", and the type it documents.
type configSection struct {
	path, pkg, typ string
	list           bool // a slice element: no per-environment values
}

// configReference renders the field reference of config.Environment from
// the doc comments of its types, with each environment's value.
func configReference(t *testing.T) string {
	t.Helper()
	structs := readConfigTypes(t)
	envs := config.Environments()
	var b strings.Builder
	var render func(s configSection)
	render = func(s configSection) {
		sd, ok := structs[s.pkg+"."+s.typ]
		if !ok {
			t.Fatalf("the configuration type %s.%s is not in %v", s.pkg, s.typ, configPackages)
		}
		fmt.Fprintf(&b, "### `%s`\n\n", s.path)
		fmt.Fprintf(&b, "`%s.%s`: %s\n\n", s.pkg, s.typ, sd.doc)
		b.WriteString("| field | type |")
		sep := "|---|---|"
		if !s.list {
			for _, e := range envs {
				fmt.Fprintf(&b, " %s |", e.Name)
				sep += "---|"
			}
		}
		b.WriteString(" description |\n" + sep + "---|\n")
		var nested []configSection
		prevDoc, prevPath := "", ""
		for _, f := range sd.fields.List {
			doc := oneLine(f.Doc)
			if doc == "" {
				doc = oneLine(f.Comment)
			}
			typ := typeName(s.pkg, f.Type)
			for _, name := range f.Names {
				if !name.IsExported() {
					continue
				}
				path := name.Name
				if s.path != "Environment" {
					path = s.path + "." + name.Name
				}
				desc := doc
				if desc == "" && strings.Contains(prevDoc, name.Name) {
					desc = "See `" + prevPath + "`."
				} else if desc == "" {
					desc = "No doc comment."
				}
				typeCell := "`" + typ + "`"
				elem := strings.TrimPrefix(typ, "[]")
				if pkg, tn, ok := strings.Cut(elem, "."); ok {
					if _, isStruct := structs[elem]; isStruct {
						child := configSection{path: path, pkg: pkg, typ: tn, list: s.list}
						if elem != typ {
							child.path, child.list = path+"[]", true
						}
						nested = append(nested, child)
						typeCell = fmt.Sprintf("[`%s`](#%s)", typ, anchorOf("`"+child.path+"`"))
					}
				}
				fmt.Fprintf(&b, "| `%s` | %s |", path, typeCell)
				if !s.list {
					for _, e := range envs {
						fmt.Fprintf(&b, " %s |", configValue(t, e, path))
					}
				}
				fmt.Fprintf(&b, " %s |\n", desc)
				if doc != "" {
					prevDoc, prevPath = doc, path
				}
			}
		}
		b.WriteString("\n")
		for _, n := range nested {
			render(n)
		}
	}
	render(configSection{path: "Environment", pkg: "config", typ: "Environment"})
	return strings.TrimSuffix(b.String(), "\n")
}

// configValue is the value of the field at path in e, as a table cell.
func configValue(t *testing.T, e config.Environment, path string) string {
	t.Helper()
	v := reflect.ValueOf(e)
	for _, name := range strings.Split(path, ".") {
		v = v.FieldByName(name)
		if !v.IsValid() {
			t.Fatalf("config.Environment has no field %s", path)
		}
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return "empty"
		}
		return "`" + v.String() + "`"
	case reflect.Struct:
		return ""
	case reflect.Slice:
		return fmt.Sprintf("%d entries", v.Len())
	}
	return fmt.Sprint(v.Interface())
}

// TestConfigurationReference: the field reference of docs/configuration.md
// is the one the doc comments of the configuration types give, with every
// environment's values. -update rewrites it.
func TestConfigurationReference(t *testing.T) {
	want := configReference(t) + "\n"
	page := docPage(t, configPage)
	begin, end := strings.Index(page, configRefBegin), strings.Index(page, configRefEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the markers %q ... %q", configPage, configRefBegin, configRefEnd)
	}
	begin += len(configRefBegin)
	if page[begin:end] == want {
		return
	}
	if *update {
		must(t, "write "+configPage, os.WriteFile(filepath.Join("..", configPage), []byte(page[:begin]+want+page[end:]), 0o644))
		return
	}
	t.Errorf("%s's field reference differs from the doc comments of config.Environment and its types; refresh it with\n  %s", configPage, configRefRefresh)
}
