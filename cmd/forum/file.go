package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's limits that a file is checked against before anything is written.
const (
	// KeyAttribute is the Forum table's partition key, a string.
	KeyAttribute = "Name"
	// MaxItemSize is DynamoDB's item limit, 400 KB, in bytes.
	MaxItemSize = 400 * 1024
	// maxKeySize is the limit on a partition key value, in UTF-8 bytes.
	maxKeySize = 2048
	// maxDepth is how deep lists and maps may nest.
	maxDepth = 32
	// maxProblems is how many problems an InvalidFileError lists in its message.
	maxProblems = 20
)

// File is a validated load file: the table key it names and its items, in
// file order.
type File struct {
	Table string // the file's top-level key, e.g. "Forum"
	Items []Item
}

// Item is one PutRequest of a file.
type Item struct {
	Pos   int    // 1-based position in the file's list of requests
	Line  int    // line of the file where the request starts
	Name  string // the partition key's value
	Size  int    // DynamoDB's size of the item, in bytes
	Attrs map[string]types.AttributeValue
}

// String names the item the way every message does: item 3 (Name "Amazon S3", line 14).
func (it Item) String() string {
	return itemLabel(it.Pos, it.Name, it.Name != "", it.Line)
}

func itemLabel(pos int, name string, hasName bool, line int) string {
	if hasName {
		return fmt.Sprintf("item %d (Name %q, line %d)", pos, name, line)
	}
	return fmt.Sprintf("item %d (line %d)", pos, line)
}

// InvalidFileError lists every problem found in a file. Nothing is written from
// a file that has one.
type InvalidFileError struct {
	Problems []string
}

func (e *InvalidFileError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	if n == 1 {
		b.WriteString("invalid file, 1 problem, nothing written:")
	} else {
		fmt.Fprintf(&b, "invalid file, %d problems, nothing written:", n)
	}
	for i, p := range e.Problems {
		if i == maxProblems {
			fmt.Fprintf(&b, "\n  ... and %d more", n-maxProblems)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	return b.String()
}

// ParseFile reads a file in BatchWriteItem request format,
//
//	{"Forum": [{"PutRequest": {"Item": {"Name": {"S": "Amazon DynamoDB"}, ...}}}, ...]}
//
// and validates all of it: the JSON shape (one table key, a non-empty list of
// PutRequests, no unknown or repeated fields), every item's partition key
// (Name, a non-empty S of at most 2048 bytes, unique in the file), every
// attribute value (exactly one of S, N, B, BOOL, NULL, SS, NS, BS, L, M; N a
// decimal DynamoDB can store: at most 38 significant digits, zero or of
// magnitude 1E-130 to below 1E+126; B and BS base64; NULL true; sets
// non-empty, without duplicates; nesting at most 32 deep) and the 400 KB item
// limit. It returns an
// *InvalidFileError naming each bad item by position, Name and line, or, when
// the text is not JSON at all, an error with the line and column.
func ParseFile(data []byte) (*File, error) {
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		line, col := lineCol(data, i)
		return nil, fmt.Errorf("line %d, column %d: the file is not valid UTF-8", line, col)
	}
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	v := newValidator(data)
	f := v.file(root)
	if len(v.problems) > 0 {
		return nil, &InvalidFileError{Problems: v.problems}
	}
	return f, nil
}

// node is a JSON value that keeps what encoding/json's maps lose: key order,
// repeated keys and where in the file each value starts.
type node struct {
	off   int    // byte offset where the value starts
	kind  byte   // '{', '[', '"' (string), '0' (number), 'b' (bool), 'n' (null)
	str   string // a string, or a number's literal
	b     bool
	keys  []string // an object's keys, in order, repeats kept
	vals  []*node  // an object's values, or an array's elements
	koffs []int    // where each key of an object starts
}

func (n *node) kindName() string {
	switch n.kind {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

// parseJSON reads exactly one JSON value from data.
func parseJSON(data []byte) (*node, error) {
	p := jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value()
	if err == nil {
		if _, err2 := p.dec.Token(); err2 != io.EOF {
			off := skipSpace(data, int(p.dec.InputOffset()))
			line, col := lineCol(data, off)
			return nil, fmt.Errorf("line %d, column %d: more than one JSON value in the file", line, col)
		}
		return root, nil
	}
	var syn *json.SyntaxError
	off := int(p.dec.InputOffset())
	if errors.As(err, &syn) {
		off = int(syn.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("the file is empty")
		}
		off = len(data)
		err = errors.New("unexpected end of the file")
	}
	line, col := lineCol(data, off)
	return nil, fmt.Errorf("line %d, column %d: not JSON: %v", line, col, err)
}

type jsonParser struct {
	data []byte
	dec  *json.Decoder
}

func (p *jsonParser) value() (*node, error) {
	off := skipSpace(p.data, int(p.dec.InputOffset()))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = '{'
			for p.dec.More() {
				koff := skipSpace(p.data, int(p.dec.InputOffset()))
				k, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				child, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
				n.koffs = append(n.koffs, koff)
				n.vals = append(n.vals, child)
			}
		case '[':
			n.kind = '['
			for p.dec.More() {
				child, err := p.value()
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, child)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.kind, n.str = '"', t
	case json.Number:
		n.kind, n.str = '0', string(t)
	case bool:
		n.kind, n.b = 'b', t
	case nil:
		n.kind = 'n'
	}
	return n, nil
}

// skipSpace moves off past the white space, commas and colons between tokens.
func skipSpace(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// lineCol turns a byte offset into a 1-based line and column (in
// characters), for the one error of a file that is not JSON.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

type validator struct {
	lineStarts []int // offset of each line's first byte
	problems   []string
}

func newValidator(data []byte) *validator {
	v := &validator{lineStarts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			v.lineStarts = append(v.lineStarts, i+1)
		}
	}
	return v
}

// lineAt is the 1-based line of a byte offset.
func (v *validator) lineAt(off int) int {
	return sort.Search(len(v.lineStarts), func(i int) bool { return v.lineStarts[i] > off })
}

func (v *validator) line(n *node) int { return v.lineAt(n.off) }

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) file(root *node) *File {
	if root.kind != '{' {
		v.add("line %d: the file must be a JSON object {\"TABLE\": [requests...]}, not %s", v.line(root), root.kindName())
		return nil
	}
	switch len(root.keys) {
	case 0:
		v.add("line %d: the file names no table: expected {\"TABLE\": [requests...]}", v.line(root))
		return nil
	case 1:
	default:
		v.add("line %d: the file names %d tables (%s): load one table per file", v.line(root), len(root.keys), quoteAll(root.keys))
		return nil
	}
	f := &File{Table: root.keys[0]}
	list := root.vals[0]
	if list.kind != '[' {
		v.add("line %d: %q must be a list of requests, not %s", v.line(list), f.Table, list.kindName())
		return nil
	}
	if len(list.vals) == 0 {
		v.add("line %d: %q holds no requests", v.line(list), f.Table)
		return nil
	}
	seen := map[string]int{} // Name -> position
	for i, req := range list.vals {
		it, ok := v.item(i+1, req)
		if it.Name != "" {
			if first, dup := seen[it.Name]; dup {
				v.add("%s: same Name as item %d; BatchWriteItem rejects a repeated key, and the later item would replace the earlier", it, first)
				continue
			}
			seen[it.Name] = it.Pos
		}
		if ok {
			f.Items = append(f.Items, it)
		}
	}
	return f
}

// item validates one request; ok is false when it had a problem.
func (v *validator) item(pos int, req *node) (Item, bool) {
	it := Item{Pos: pos, Line: v.line(req)}
	before := len(v.problems)
	item := v.requestItem(it, req)
	if item == nil {
		return it, false
	}
	// The Name first, so that every other message can quote it.
	if i := index(item.keys, KeyAttribute); i >= 0 {
		if s := item.vals[i]; s.kind == '{' && len(s.keys) == 1 && s.keys[0] == "S" && s.vals[0].kind == '"' {
			it.Name = s.vals[0].str
		}
	}
	it.Attrs = map[string]types.AttributeValue{}
	size := 0
	for i, name := range item.keys {
		if name == "" {
			v.add("%s: line %d: an attribute has an empty name", it, v.lineAt(item.koffs[i]))
			continue
		}
		where := fmt.Sprintf("%s: attribute %q", it, name)
		if index(item.keys[:i], name) >= 0 {
			v.add("%s (line %d): appears more than once", where, v.lineAt(item.koffs[i]))
			continue
		}
		av, n, ok := v.value(where, item.vals[i], 1)
		if !ok {
			continue
		}
		it.Attrs[name] = av
		size += len(name) + n
	}
	it.Size = size
	key, valid := it.Attrs[KeyAttribute]
	switch s, isS := key.(*types.AttributeValueMemberS); {
	case !valid && index(item.keys, KeyAttribute) < 0:
		v.add("%s: no %s: every item needs the partition key %s as a non-empty S", it, KeyAttribute, KeyAttribute)
	case !valid:
		// its value had a problem, reported above
	case !isS:
		v.add("%s: %s must be an S (string), the table's partition key type, not %s", it, KeyAttribute, typeOf(key))
	case s.Value == "":
		v.add("%s: %s is empty: a partition key must be a non-empty S", it, KeyAttribute)
	case len(s.Value) > maxKeySize:
		v.add("%s: %s is %d bytes, over DynamoDB's partition key limit of %d", it, KeyAttribute, len(s.Value), maxKeySize)
	}
	if size > MaxItemSize {
		v.add("%s: %d bytes, over DynamoDB's item limit of 400 KB (%d bytes)", it, size, MaxItemSize)
	}
	return it, len(v.problems) == before
}

// requestItem returns the Item object of {"PutRequest": {"Item": {...}}}.
func (v *validator) requestItem(it Item, req *node) *node {
	bad := func(format string, args ...any) *node {
		v.add("%s: %s", it, fmt.Sprintf(format, args...))
		return nil
	}
	if req.kind != '{' {
		return bad("a request must be an object {\"PutRequest\": {\"Item\": {...}}}, not %s", req.kindName())
	}
	if len(req.keys) != 1 {
		return bad("a request must have exactly one key, PutRequest, not %d (%s)", len(req.keys), quoteAll(req.keys))
	}
	switch req.keys[0] {
	case "PutRequest":
	case "DeleteRequest":
		return bad("DeleteRequest: this command only puts items")
	default:
		return bad("unknown request %q: expected PutRequest", req.keys[0])
	}
	put := req.vals[0]
	if put.kind != '{' {
		return bad("PutRequest must be an object {\"Item\": {...}}, not %s", put.kindName())
	}
	if len(put.keys) != 1 || put.keys[0] != "Item" {
		return bad("PutRequest must hold exactly one key, Item, not %s", quoteAll(put.keys))
	}
	item := put.vals[0]
	if item.kind != '{' {
		return bad("Item must be an object of attributes, not %s", item.kindName())
	}
	return item
}

// value converts one attribute value, returning its DynamoDB size in bytes.
func (v *validator) value(where string, n *node, depth int) (types.AttributeValue, int, bool) {
	if n.kind != '{' {
		v.add("%s (line %d): must be a typed value like {\"S\": \"text\"}, not %s", where, v.line(n), n.kindName())
		return nil, 0, false
	}
	if len(n.keys) != 1 {
		if len(n.keys) == 0 {
			v.add("%s (line %d): {} has no type: give exactly one of S, N, B, BOOL, NULL, SS, NS, BS, L, M", where, v.line(n))
		} else {
			v.add("%s (line %d): has %d types (%s): give exactly one", where, v.line(n), len(n.keys), quoteAll(n.keys))
		}
		return nil, 0, false
	}
	typ, val := n.keys[0], n.vals[0]
	fail := func(format string, args ...any) (types.AttributeValue, int, bool) {
		v.add("%s (line %d): %s %s", where, v.line(val), typ, fmt.Sprintf(format, args...))
		return nil, 0, false
	}
	switch typ {
	case "S":
		if val.kind != '"' {
			return fail("must be a string, not %s", val.kindName())
		}
		return &types.AttributeValueMemberS{Value: val.str}, len(val.str), true
	case "N":
		if val.kind != '"' {
			return fail("must be a number written as a string, like {\"N\": \"42\"}, not %s", val.kindName())
		}
		num, err := parseNumber(val.str)
		if err != nil {
			return fail("%q: %v", val.str, err)
		}
		return &types.AttributeValueMemberN{Value: val.str}, num.size(), true
	case "B":
		if val.kind != '"' {
			return fail("must be a base64 string, not %s", val.kindName())
		}
		b, err := base64.StdEncoding.DecodeString(val.str)
		if err != nil {
			return fail("%s: not base64: %v", abbrev(val.str), err)
		}
		return &types.AttributeValueMemberB{Value: b}, len(b), true
	case "BOOL":
		if val.kind != 'b' {
			return fail("must be true or false, not %s", val.kindName())
		}
		return &types.AttributeValueMemberBOOL{Value: val.b}, 1, true
	case "NULL":
		if val.kind != 'b' || !val.b {
			return fail("must be true: DynamoDB has no other null")
		}
		return &types.AttributeValueMemberNULL{Value: true}, 1, true
	case "SS", "NS", "BS":
		if val.kind != '[' {
			return fail("must be a list of strings, not %s", val.kindName())
		}
		if len(val.vals) == 0 {
			return fail("is empty: DynamoDB has no empty sets (leave the attribute out)")
		}
		strs := make([]string, len(val.vals))
		var bins [][]byte
		size := 0
		seen := map[string]int{}
		for i, e := range val.vals {
			if e.kind != '"' {
				return fail("element %d must be a string, not %s", i+1, e.kindName())
			}
			strs[i] = e.str
			canon := e.str
			switch typ {
			case "SS":
				size += len(e.str)
			case "NS":
				num, err := parseNumber(e.str)
				if err != nil {
					return fail("element %d %q: %v", i+1, e.str, err)
				}
				canon = num.canonical()
				size += num.size()
			case "BS":
				b, err := base64.StdEncoding.DecodeString(e.str)
				if err != nil {
					return fail("element %d %s: not base64: %v", i+1, abbrev(e.str), err)
				}
				bins = append(bins, b)
				canon = string(b)
				size += len(b)
			}
			if j, dup := seen[canon]; dup {
				return fail("elements %d and %d are the same value: a set has no duplicates", j, i+1)
			}
			seen[canon] = i + 1
		}
		switch typ {
		case "SS":
			return &types.AttributeValueMemberSS{Value: strs}, size, true
		case "NS":
			return &types.AttributeValueMemberNS{Value: strs}, size, true
		}
		return &types.AttributeValueMemberBS{Value: bins}, size, true
	case "L", "M":
		if depth >= maxDepth {
			return fail("nests more than %d levels deep, DynamoDB's limit", maxDepth)
		}
		if typ == "L" {
			if val.kind != '[' {
				return fail("must be a list of typed values, not %s", val.kindName())
			}
			list := make([]types.AttributeValue, len(val.vals))
			size, ok := 3, true
			for i, e := range val.vals {
				av, n, good := v.value(fmt.Sprintf("%s[%d]", where, i), e, depth+1)
				list[i], size, ok = av, size+1+n, ok && good
			}
			return &types.AttributeValueMemberL{Value: list}, size, ok
		}
		if val.kind != '{' {
			return fail("must be an object of typed values, not %s", val.kindName())
		}
		m := make(map[string]types.AttributeValue, len(val.keys))
		size, ok := 3, true
		for i, k := range val.keys {
			if _, dup := m[k]; dup || index(val.keys[:i], k) >= 0 {
				v.add("%s.%q (line %d): appears more than once", where, k, v.lineAt(val.koffs[i]))
				ok = false
				continue
			}
			av, n, good := v.value(fmt.Sprintf("%s.%q", where, k), val.vals[i], depth+1)
			m[k], size, ok = av, size+1+len(k)+n, ok && good
		}
		return &types.AttributeValueMemberM{Value: m}, size, ok
	}
	return fail("is not a type: use one of S, N, B, BOOL, NULL, SS, NS, BS, L, M")
}

// number is a DynamoDB number: sign, significant digits and the exponent of
// the first of them (value = 0.DIGITS * 10^(exp+1), i.e. D.IGITS * 10^exp).
type number struct {
	neg    bool
	digits string // no leading or trailing zeros; "" for zero
	exp    int
}

var numberPattern = regexp.MustCompile(`^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// parseNumber checks a number literal the way DynamoDB stores numbers: a
// decimal of at most 38 significant digits, zero or of magnitude 1E-130 to
// below 1E+126.
func parseNumber(s string) (number, error) {
	if !numberPattern.MatchString(s) {
		return number{}, errors.New("not a decimal number")
	}
	var n number
	if s[0] == '-' {
		n.neg, s = true, s[1:]
	}
	mant, expPart, _ := strings.Cut(strings.ToLower(s), "e")
	e := 0
	if expPart != "" {
		x, err := strconv.Atoi(expPart)
		if err != nil || x > 1000 || x < -1000 {
			return number{}, errors.New("the exponent is out of DynamoDB's range")
		}
		e = x
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	all := intPart + frac
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	n.digits = strings.TrimRight(all[lead:], "0")
	if n.digits == "" {
		return number{}, nil // zero
	}
	n.exp = len(intPart) - lead - 1 + e
	switch {
	case len(n.digits) > 38:
		return number{}, fmt.Errorf("has %d significant digits; DynamoDB keeps at most 38", len(n.digits))
	case n.exp > 125:
		return number{}, errors.New("is too large: DynamoDB's numbers stop below 1E+126")
	case n.exp < -130:
		return number{}, errors.New("is too small: DynamoDB's smallest magnitude is 1E-130")
	}
	return n, nil
}

// canonical is equal for equal numbers ("1", "1.0", "10e-1").
func (n number) canonical() string {
	if n.digits == "" {
		return "0"
	}
	sign := ""
	if n.neg {
		sign = "-"
	}
	return fmt.Sprintf("%s0.%se%d", sign, n.digits, n.exp+1)
}

// size is a number's size in an item: about one byte per two significant
// digits, plus one, plus one for a negative number (the count dynalite uses).
func (n number) size() int {
	d := len(n.digits)
	if d == 0 {
		return 1
	}
	size := 1 + (d+1)/2
	if d%2 == 0 && n.exp%2 == 0 {
		size++
	}
	if n.neg {
		size++
	}
	return size
}

func typeOf(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberM:
		return "M"
	}
	return fmt.Sprintf("%T", av)
}

func index(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(k)
	}
	sort.Strings(q)
	return strings.Join(q, ", ")
}

// abbrev quotes s, cut to 40 characters.
func abbrev(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return strconv.Quote(string([]rune(s)[:40])) + "..."
	}
	return strconv.Quote(s)
}
