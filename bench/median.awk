# median of a list of numbers, each preceded by a space (" 1.2 0.9 1.0").
# Used by the bench scripts beside their own program: awk -f bench/median.awk -f ...
function median(list,   a, n, i, j, t) {
	n = split(substr(list, 2), a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return a[int((n + 1) / 2)]
}
