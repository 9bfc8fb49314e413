# The benchmark script's own arithmetic and arguments (issue 11: a bench that cannot lie). The figures themselves are
# measured by build.ps1 -Task Bench; what is tested here is what they are compared with and which ones run.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Bench = Join-Path $PSScriptRoot '../../bench/Invoke-Benchmark.ps1'
    . (Join-Path $PSScriptRoot '../../bench/BenchMath.ps1')

    function Invoke-Bench([string[]] $Arguments) {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $out = & $exe @rest -NoProfile -NonInteractive -File $script:Bench -ModulePath $script:ModulePath @Arguments 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String) }
    }
}

Describe 'Invoke-Benchmark -Figure' {
    It '-Figure 4,5 from a command line (pwsh -File) is figures 4 and 5' {
        $r = Invoke-Bench '-Figure', '4,5', '-List'
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output.Trim() -split '\s+' | Should -Be @('4', '5')
    }

    It 'an unknown figure (<Value>) is an error, not an empty run' -ForEach @(@{ Value = '6' }, @{ Value = '0' }, @{ Value = 'four' }, @{ Value = '4,9' }) {
        $r = Invoke-Bench '-Figure', $Value, '-List'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'Unknown figure'
    }

    It 'parses lists however they are written' {
        ConvertTo-FigureList '4,5' | Should -Be @(4, 5)
        ConvertTo-FigureList @('5', '1') | Should -Be @(1, 5)
        ConvertTo-FigureList '2, 3 3' | Should -Be @(2, 3)
        { ConvertTo-FigureList '' } | Should -Throw '*Unknown figure*'
    }
}

Describe 'Bench arithmetic' {
    It 'figure 5''s ideal is when a sliding window of <Limit> per <Window> s lets the last of <Calls> calls start' -ForEach @(
        @{ Calls = 325; Limit = 60; Window = 2; Ideal = 10 }   # 6 full windows of waiting: calls 301..325 start at 10 s
        @{ Calls = 60; Limit = 60; Window = 2; Ideal = 0 }     # all in the first window
        @{ Calls = 61; Limit = 60; Window = 2; Ideal = 2 }
        @{ Calls = 121; Limit = 60; Window = 2; Ideal = 4 }
    ) {
        Get-SlidingWindowIdeal -Calls $Calls -Limit $Limit -WindowSeconds $Window | Should -Be $Ideal
    }

    It 'the seed integration''s call count is computed from its algorithm (3 per add, 2 per removal)' {
        Get-SeedIntegrationCalls -Adds 200 -Removals 100 | Should -Be 800
    }

    It 'the report labels the seed count as computed, not measured, and computes every Met' {
        $text = Get-Content -Raw $script:Bench
        $text | Should -Match 'SeedIntegrationCallsComputed'
        $text | Should -Match 'computed from the seed''s algorithm, not measured'
        # No figure row may pass a literal $true as its Met.
        $text | Should -Not -Match "Add-Result[^\r\n]*'[^']*'\s+\`$true"
    }
}
