<#
.SYNOPSIS
    Refreshes the Public Suffix List the RunCloud emulator embeds (src/RunCloud.Emulator/Data/public_suffix_list.dat).

.DESCRIPTION
    The emulator plays Let's Encrypt's "certificates per registered domain" limit, and Let's Encrypt finds the registered
    domain with the Public Suffix List (ICANN and private sections). The emulator must not read a system file at run time
    (Windows has none), so the list is compiled into its dll as an embedded resource. This script rewrites that resource
    from a copy of the list: Debian's publicsuffix package (/usr/share/publicsuffix/public_suffix_list.dat, the default),
    or a file downloaded from https://publicsuffix.org/list/public_suffix_list.dat. It keeps the licence header (MPL 2.0)
    and the rules, drops the other comments and blank lines, and stamps where and when the copy came from.
    Rebuild the emulator afterwards.

.EXAMPLE
    dotnet pwsh ./tools/Update-PublicSuffixList.ps1
    dotnet pwsh ./tools/Update-PublicSuffixList.ps1 -Path ~/Downloads/public_suffix_list.dat
#>
[CmdletBinding()]
param(
    [string] $Path = '/usr/share/publicsuffix/public_suffix_list.dat',
    [string] $Destination = (Join-Path $PSScriptRoot '../src/RunCloud.Emulator/Data/public_suffix_list.dat')
)
$ErrorActionPreference = 'Stop'
if (-not (Test-Path -LiteralPath $Path)) {
    throw "No Public Suffix List at '$Path'. Install Debian's publicsuffix package, or download https://publicsuffix.org/list/public_suffix_list.dat and pass -Path."
}
$lines = Get-Content -LiteralPath $Path -Encoding UTF8
$header = @($lines | Select-Object -First 3 | Where-Object { $_ -like '//*' })
if ($header.Count -lt 3 -or $header[0] -notmatch 'Mozilla Public') { throw "'$Path' does not start with the Public Suffix List's licence header: is it the list?" }
$rules = @($lines | Where-Object { $_.Trim().Length -gt 0 -and -not $_.StartsWith('//') } | ForEach-Object { ($_ -split '\s')[0] })
$markers = @($lines | Where-Object { $_ -match '^// ===(BEGIN|END) (ICANN|PRIVATE) DOMAINS===' })
if ($rules.Count -lt 5000 -or $markers.Count -ne 4) { throw "'$Path' has $($rules.Count) rules and $($markers.Count) section markers: not a whole Public Suffix List." }
$stamp = "// Copied by tools/Update-PublicSuffixList.ps1 from $Path (last written $((Get-Item -LiteralPath $Path).LastWriteTimeUtc.ToString('yyyy-MM-dd')) UTC); comments other than this header dropped."
$out = [System.Collections.Generic.List[string]]::new()
$header | ForEach-Object { $out.Add($_) }
$out.Add($stamp)
foreach ($line in $lines) {
    if ($line -match '^// ===(BEGIN|END) (ICANN|PRIVATE) DOMAINS===') { $out.Add($line); continue }
    if ($line.Trim().Length -eq 0 -or $line.StartsWith('//')) { continue }
    $out.Add(($line -split '\s')[0])
}
$full = [System.IO.Path]::GetFullPath($Destination)
[System.IO.File]::WriteAllLines($full, $out, [System.Text.UTF8Encoding]::new($false))
Write-Host "Wrote $($rules.Count) rules to $full"
