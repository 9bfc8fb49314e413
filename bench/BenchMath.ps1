# Pure helpers of bench/Invoke-Benchmark.ps1, dot-sourced by it and by tests/pester/Bench.Tests.ps1.

# -Figure as given: an int array, or one string such as '4,5' (what `pwsh -File ... -Figure 4,5` passes). Every entry
# must be one of the eight figures; anything else is an error rather than a run that silently measures nothing.
function ConvertTo-FigureList([string[]] $Figure) {
    $numbers = [System.Collections.Generic.SortedSet[int]]::new()
    foreach ($token in @($Figure | ForEach-Object { "$_" -split '[,\s]+' } | Where-Object { $_ -ne '' })) {
        $n = 0
        if (-not [int]::TryParse($token, [ref] $n) -or $n -lt 1 -or $n -gt 13) {
            throw "Unknown figure '$token': the figures are 1 to 13 (e.g. -Figure 4,5)."
        }
        [void]$numbers.Add($n)
    }
    if ($numbers.Count -eq 0) { throw "Unknown figure '$($Figure -join ',')': the figures are 1 to 13 (e.g. -Figure 4,5)." }
    [int[]]@($numbers)
}

# Figure 5's ideal: the earliest the last of $Calls requests may start under a client-side sliding window of $Limit
# requests per $WindowSeconds: the first $Limit go at once, each next $Limit one window later.
function Get-SlidingWindowIdeal([int] $Calls, [int] $Limit, [double] $WindowSeconds) {
    if ($Calls -le 0 -or $Limit -le 0) { return 0.0 }
    [Math]::Floor(($Calls - 1) / $Limit) * $WindowSeconds
}

# The seed integration's calls for the same change, COMPUTED from its algorithm (it is not run): per add a POST, a GET
# of the SSL and a PUT redeploy; per removal a GET of the first page (to find the id) and the DELETE.
function Get-SeedIntegrationCalls([int] $Adds, [int] $Removals) { $Adds * 3 + $Removals * 2 }

# Where a child pwsh of one workload keeps its startup profile (see Set-StartupProfile in Invoke-Benchmark.ps1): the
# variable PowerShell takes its cache folder from, and a folder under $Root of the workload's own. Two workloads never
# share one, so no child replays another workload's methods.
function Get-StartupProfileEnvironment([string] $Root, [string] $Workload, [bool] $Windows) {
    if (-not $Workload) { throw 'A workload name is needed: children of different scripts must not share a startup profile.' }
    [pscustomobject]@{
        Name   = if ($Windows) { 'LOCALAPPDATA' } else { 'XDG_CACHE_HOME' }
        Folder = Join-Path $Root ($Workload.ToLowerInvariant() -replace '[^a-z0-9-]', '-')
    }
}

# Figure 1's paired estimate: each round measures a bare start, the module's script and the hand-written one back to
# back (in a random order), so a slow stretch of the machine falls on all three of that round alike. The ratio of each
# round's (module - bare) to its (hand - bare), and their median: drift between rounds cancels, which a ratio of the
# three medians does not do. Rounds whose hand-written run was not slower than the bare start say nothing and are left
# out. Returns the median ratio, its quartiles and how many rounds counted.
function Get-PairedRatio([double[]] $Module, [double[]] $Hand, [double[]] $Bare) {
    if ($Module.Count -ne $Hand.Count -or $Hand.Count -ne $Bare.Count) { throw 'Paired rounds need one module, one hand-written and one bare run each.' }
    $ratios = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Bare.Count; $i++) {
        $h = $Hand[$i] - $Bare[$i]
        if ($h -gt 0) { $ratios.Add(($Module[$i] - $Bare[$i]) / $h) }
    }
    if ($ratios.Count -eq 0) { return [pscustomobject]@{ Median = [double]::NaN; Lower = [double]::NaN; Upper = [double]::NaN; Rounds = 0 } }
    $sorted = @($ratios | Sort-Object)
    $at = { param([double] $q) $sorted[[int][Math]::Floor($q * ($sorted.Count - 1))] }
    $median = if ($sorted.Count % 2) { $sorted[($sorted.Count - 1) / 2] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
    [pscustomobject]@{ Median = $median; Lower = (& $at 0.25); Upper = (& $at 0.75); Rounds = $sorted.Count }
}
