# tools/Update-PublicSuffixList.ps1: the documented way to refresh the public suffix list the module ships.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Script = Join-Path $PSScriptRoot '../../tools/Update-PublicSuffixList.ps1'
    $script:Shipped = Join-Path $PSScriptRoot '../../src/RunCloud.PowerShell/Input/PublicSuffixList.dat'
    $script:Debian = '/usr/share/publicsuffix/public_suffix_list.dat'
}

Describe 'tools/Update-PublicSuffixList.ps1' {
    It 'writes the shipped copy again, byte for byte, from the list it names as its source' -Skip:(-not (Test-Path '/usr/share/publicsuffix/public_suffix_list.dat')) {
        $source = (Get-Content $script:Shipped -TotalCount 6)[5]
        if ($source -notlike "*from $script:Debian,*") { Set-ItResult -Skipped -Because "the shipped copy was written from another list: $source" }
        $out = Join-Path $TestDrive 'psl.dat'
        & $script:Script -Path $script:Debian -OutFile $out 6>$null
        (Get-FileHash $out).Hash | Should -Be (Get-FileHash $script:Shipped).Hash
    }

    It 'refuses a file that is not a complete public suffix list, and writes nothing' {
        $bogus = Join-Path $TestDrive 'bogus.dat'
        Set-Content $bogus "// ===BEGIN ICANN DOMAINS===`ncom`norg`n// ===END ICANN DOMAINS===`n// ===BEGIN PRIVATE DOMAINS===`ngithub.io`n// ===END PRIVATE DOMAINS==="
        $out = Join-Path $TestDrive 'never.dat'
        { & $script:Script -Path $bogus -OutFile $out 6>$null } | Should -Throw "*lacks 'co.uk'*Nothing was written*"
        # The emulator reads the private section (Let's Encrypt's registered domains): a list without it is refused too.
        Set-Content $bogus "// ===BEGIN ICANN DOMAINS===`ncom`nco.uk`n// ===END ICANN DOMAINS==="
        { & $script:Script -Path $bogus -OutFile $out 6>$null } | Should -Throw "*PRIVATE DOMAINS*Nothing was written*"
        Test-Path $out | Should -BeFalse
        { & $script:Script -Path (Join-Path $TestDrive 'missing.dat') -OutFile $out } | Should -Throw '*was not found*-Uri https://publicsuffix.org/list/public_suffix_list.dat*'
    }
}
