#Requires -Version 7.2
<#
.SYNOPSIS
    Refreshes the public suffix list the module and its emulator ship (src/RunCloud.PowerShell/Input/PublicSuffixList.dat).

.DESCRIPTION
    RunCloud.PowerShell refuses a desired domain whose last label is not a top-level domain (a name cut short by a
    generator still writing its file, or mistyped, would otherwise be added and let -Prune go on). Which top-level
    domains exist comes from the public suffix list (https://publicsuffix.org/), shipped inside the module's dll as an
    embedded resource: the module never reads /usr/share or the network at run time, so a scheduled run gives the same
    answer on every machine.

    This script writes the shipped copy from a public_suffix_list.dat: by default Debian's (package 'publicsuffix',
    /usr/share/publicsuffix/public_suffix_list.dat), or a file you name with -Path, or the list downloaded with -Uri.
    It keeps both sections: the module reads the ICANN section (the top-level domains and the suffixes under them),
    the emulator (RunCloud.PowerShell.Emulator, which embeds the same file) both, as Let's Encrypt does to find the
    registered domain of its certificates-per-registered-domain limit. It drops comments and blank lines, converts internationalised rules to punycode (the form the module compares in),
    keeps the Mozilla Public License notice the list is published under, and records where the copy came from. It
    checks the result before writing: both section markers present, at least 1,000 top-level domains, 'com', 'co.uk'
    and 'xn--p1ai' (.рф) known.

    Refresh the copy when a new top-level domain your users need is missing, then rebuild the module and run
    tests/RunCloud.PowerShell.Tests (InputValidationTests checks the shipped copy) and tests/RunCloud.Emulator.Tests,
    and commit the .dat file:

        dotnet pwsh ./tools/Update-PublicSuffixList.ps1
        dotnet pwsh ./tools/Update-PublicSuffixList.ps1 -Uri https://publicsuffix.org/list/public_suffix_list.dat

.PARAMETER Path
    The public_suffix_list.dat to read. Default: /usr/share/publicsuffix/public_suffix_list.dat (apt-get install publicsuffix).

.PARAMETER Uri
    Download the list from here instead of reading -Path (the list's maintainers ask for
    https://publicsuffix.org/list/public_suffix_list.dat and no other address).

.PARAMETER OutFile
    The copy to write. Default: src/RunCloud.PowerShell/Input/PublicSuffixList.dat beside this script's repository.

.EXAMPLE
    dotnet pwsh ./tools/Update-PublicSuffixList.ps1

    Writes the shipped copy from Debian's list and prints how many rules and top-level domains it holds.
#>
[CmdletBinding(DefaultParameterSetName = 'Path')]
param(
    [Parameter(ParameterSetName = 'Path')]
    [string] $Path = '/usr/share/publicsuffix/public_suffix_list.dat',

    [Parameter(Mandatory, ParameterSetName = 'Uri')]
    [uri] $Uri,

    [string] $OutFile = (Join-Path $PSScriptRoot '../src/RunCloud.PowerShell/Input/PublicSuffixList.dat')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ($PSCmdlet.ParameterSetName -eq 'Uri') {
    $text = (Invoke-WebRequest -Uri $Uri -UseBasicParsing).Content
    if ($text -is [byte[]]) { $text = [Text.Encoding]::UTF8.GetString($text) }
    $source = "$Uri, downloaded $([DateTime]::UtcNow.ToString('yyyy-MM-dd'))"
}
else {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        throw "$Path was not found. Install Debian's list (apt-get install publicsuffix), name another copy with -Path, or download one with -Uri https://publicsuffix.org/list/public_suffix_list.dat."
    }
    $resolved = (Resolve-Path -LiteralPath $Path).ProviderPath
    $text = [IO.File]::ReadAllText($resolved, [Text.Encoding]::UTF8)
    $source = "$resolved, dated $((Get-Item -LiteralPath $resolved).LastWriteTimeUtc.ToString('yyyy-MM-dd'))"
    $package = if (Get-Command dpkg-query -ErrorAction SilentlyContinue) { & dpkg-query -W -f '${Version}' publicsuffix 2>$null }
    if ($LASTEXITCODE -eq 0 -and $package) { $source += ", Debian package publicsuffix $package" }
}

$lines = $text -split "`r?`n"
function Get-Section([string] $Name) {
    $begin = [Array]::IndexOf($lines, "// ===BEGIN $Name DOMAINS===")
    $end = [Array]::IndexOf($lines, "// ===END $Name DOMAINS===")
    if ($begin -lt 0 -or $end -le $begin) { throw "The list has no '// ===BEGIN $Name DOMAINS===' ... '// ===END $Name DOMAINS===' section: is it public_suffix_list.dat? Nothing was written." }
    $idn = [Globalization.IdnMapping]::new()
    $section = [Collections.Generic.List[string]]::new()
    for ($i = $begin + 1; $i -lt $end; $i++) {
        $line = $lines[$i].Trim()
        if ($line.Length -eq 0 -or $line.StartsWith('//')) { continue }
        $rule = ($line -split '\s+')[0]
        $exception = $rule.StartsWith('!')
        $labels = foreach ($label in $rule.TrimStart('!').Split('.')) {
            if ($label -eq '*') { $label } else { $idn.GetAscii($label).ToLowerInvariant() }
        }
        $section.Add(($(if ($exception) { '!' } else { '' })) + ($labels -join '.'))
    }
    , $section
}
$rules = Get-Section 'ICANN'
$private = Get-Section 'PRIVATE'

$tlds = @($rules | ForEach-Object { ($_.TrimStart('!') -split '\.')[-1] } | Sort-Object -Unique)
foreach ($needed in 'com', 'co.uk', 'xn--p1ai') {
    if ($rules -notcontains $needed) { throw "The list lacks '$needed': it is not a complete public suffix list. Nothing was written." }
}
if ($tlds.Count -lt 1000) { throw "The list knows only $($tlds.Count) top-level domains (the real one has about 1,450). Nothing was written." }
if ($private.Count -lt 1000) { throw "The list's private section holds only $($private.Count) rules (the real one has several thousand). Nothing was written." }

$header = @(
    '// This Source Code Form is subject to the terms of the Mozilla Public'
    '// License, v. 2.0. If a copy of the MPL was not distributed with this'
    '// file, You can obtain one at https://mozilla.org/MPL/2.0/.'
    '//'
    '// The public suffix list (https://publicsuffix.org/) as RunCloud.PowerShell and its emulator ship it.'
    "// Written by tools/Update-PublicSuffixList.ps1 from $source."
    '// Rules only (comments dropped); internationalised rules in punycode, the form the module compares in.'
    '// Do not edit by hand: run the script again.'
    '// ===BEGIN ICANN DOMAINS==='
)
$out = [IO.Path]::GetFullPath($OutFile)
$body = $header + $rules + '// ===END ICANN DOMAINS===' + '// ===BEGIN PRIVATE DOMAINS===' + $private + '// ===END PRIVATE DOMAINS==='
[IO.File]::WriteAllText($out, ($body -join "`n") + "`n", [Text.UTF8Encoding]::new($false))
Write-Host ("Wrote {0}: {1} ICANN rules ({2} top-level domains) and {3} private rules, from {4}." -f $out, $rules.Count, $tlds.Count, $private.Count, $source)
