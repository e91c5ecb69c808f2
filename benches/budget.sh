# Sourced by the bench scripts: `budget WHAT MEASURED LIMIT UNIT` prints
# "WHAT: MEASURED UNIT (budget < LIMIT UNIT)", or "… OVER BUDGET" when the
# measurement is not below its budget (docs/PERFORMANCE.md lists them), and
# remembers it: `budgets_kept` at the end exits 1 if any was over.
over_budget=0
budget() {
  local what=$1 measured=$2 limit=$3 unit=$4
  if awk -v m="$measured" -v l="$limit" 'BEGIN { exit !(m < l) }'; then
    echo "$what: $measured $unit (budget < $limit $unit)"
  else
    echo "$what: $measured $unit (budget < $limit $unit) OVER BUDGET"
    over_budget=1
  fi
}
budgets_kept() {
  return "$over_budget"
}
