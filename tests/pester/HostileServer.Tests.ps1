# Issue 13, "Done when": every hostile-server mode against a listing, an add, a removal and a sync, through the built
# module in a real pwsh at -Verbose and -Debug, with a transcript running: each ends within its budget, under a heap
# ceiling, with one precise ErrorId, and nothing in any stream, error record, format view or the transcript holds the
# token or a raw control character. (The xunit HostileServerTests run the same matrix in-process, without a transcript.)
BeforeDiscovery {
    $modes = [string[]]@('Normal', 'Drip', 'Truncate', 'Huge', 'EndlessPages', 'RepeatedPage', 'WrongTypes', 'EchoSecret',
        'ControlCharacters', 'RetryAfterDay', 'ResetMidBody', 'Redirect', 'CutOnDelete')
    $cases = foreach ($m in $modes) { foreach ($o in 'List', 'Add', 'Remove', 'Sync') { @{ Mode = $m; Operation = $o } } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot '../HostileScenario.ps1')
    $script:BudgetSeconds = 20
    $script:HeapCeilingMB = 64
}

Describe 'A hostile RunCloud' {
    It '<Mode> against <Operation>: in time, in memory, one ErrorId, no secret, no raw control character' -ForEach $cases {
        $r = Invoke-HostileScenario -Mode $Mode -Operation $Operation -WorkFolder $TestDrive
        $r.Seconds | Should -BeLessThan $script:BudgetSeconds
        $r.HeapMB | Should -BeLessThan $script:HeapCeilingMB
        $expected = Get-HostileExpectedErrorId $Mode $Operation
        if ($expected) { @($r.ErrorIds) | Should -Be @($expected) } else { @($r.ErrorIds) | Should -BeNullOrEmpty }
        @($r.Leaks) | Should -BeNullOrEmpty
    }
}
