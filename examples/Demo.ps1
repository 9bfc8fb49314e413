<#
.SYNOPSIS
    The main job end to end against the RunCloud API emulator: connect, list a web app's domains, add a domain,
    redeploy SSL so the certificate covers it, remove it, and stop the emulator.
.DESCRIPTION
    What the Ultimate Multisite RunCloud integration does when a domain is mapped and unmapped, done with this
    module: one POST to add, one GET + one PUT to redeploy the certificate (only because the add really worked),
    and a removal found across every page of the app's domains.

    It is hermetic: the caller's RUNCLOUD_* and WU_RUNCLOUD_* environment variables are set aside while it runs (and put
    back after), and its state (journals) lives in a temporary folder.
#>
#Requires -Version 5.1
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/RunCloud.PowerShell'),
    # The emulator is a module of its own: only tests and this demo load it.
    [string] $EmulatorModulePath = (Join-Path (Split-Path -Parent $ModulePath) 'RunCloud.PowerShell.Emulator')
)
$ModulePath = (Resolve-Path $ModulePath).Path
$EmulatorModulePath = (Resolve-Path $EmulatorModulePath).Path
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Hermetic: the demo sets what it needs and ignores the caller's RUNCLOUD_* / WU_RUNCLOUD_* settings (a token, a base
# address, RUNCLOUD_SKIP_DNS_CHECK=1, ...), and keeps its journals in a folder of its own, not the user's state folder.
# Everything is put back when it ends.
$savedEnvironment = @{}
foreach ($variable in @(Get-ChildItem Env: | Where-Object { $_.Name -like 'RUNCLOUD_*' -or $_.Name -like 'WU_RUNCLOUD_*' })) {
    $savedEnvironment[$variable.Name] = $variable.Value
    Remove-Item -LiteralPath "Env:$($variable.Name)"
}
$demoState = Join-Path ([IO.Path]::GetTempPath()) ('runcloud-demo-' + [guid]::NewGuid().ToString('N'))
$env:RUNCLOUD_STATE_PATH = $demoState

Import-Module $ModulePath -Force
Import-Module $EmulatorModulePath -Force

function Step([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }

Step 'Start the RunCloud API emulator (in this process, on a free loopback port)'
$network = $null
$emulator = Start-RunCloudEmulator -TlsPort 0
Write-Host "Emulator at $($emulator.BaseUri) - test token $($emulator.Token.Substring(0, 4))... (the emulator's own test credential)"
# The emulator's DNS table, asked as a DNS-over-HTTPS client asks Cloudflare: the module checks that each name points at
# the server before it asks Let's Encrypt for a certificate (real names would be checked with the system's resolver).
$dns = "$($emulator.BaseUri)_emulator/dns-query"
$serverId = [RunCloud.Emulator.EmulatorDefaults]::ServerId
$webAppId = [RunCloud.Emulator.EmulatorDefaults]::WebAppId
try {
    Step 'Connect-RunCloud with an API token (Bearer, API v3); GET ping validates it'
    $token = ConvertTo-SecureString $emulator.Token -AsPlainText -Force
    Connect-RunCloud -BaseUri $emulator.BaseUri -Token $token -ServerId $serverId -WebAppId $webAppId -PassThru |
        Format-List BaseUri, ApiVersion, AuthenticationKind, KeyId, ServerId, WebAppId | Out-Host

    Step 'The server and web app'
    Get-RunCloudServer -Id $serverId | Format-Table Id, Name, IpAddress, Os | Out-Host
    Get-RunCloudWebApp -Id $webAppId | Format-Table ServerId, Id, Name, PhpVersion | Out-Host

    Step "The web app's domains"
    Get-RunCloudDomain | Format-Table Id, Name, Type, Www, Redirection | Out-Host

    Step 'Add shop-eu.example.com and redeploy the certificate once (-ResetSsl)'
    $added = Add-RunCloudDomain -Name 'shop-eu.example.com' -ResetSsl -DnsServer $dns -PassThru
    $added | Format-Table Id, Name, Type, CreatedAt | Out-Host

    Step 'The certificate now covers every domain'
    Get-RunCloudSsl | Format-List Installed, Id, Method, ValidUntil | Out-Host
    $uncovered = $emulator.GetUncoveredDomains($serverId, $webAppId)
    if ($uncovered.Count -gt 0) { throw "Not covered by the certificate: $($uncovered -join ', ')" }
    Write-Host 'Uncovered domains: none'

    Step 'Adding it again is a warning, not an error'
    Add-RunCloudDomain -Name 'shop-eu.example.com'

    Step 'Remove it (found by name across every page), then redeploy once'
    Remove-RunCloudDomain -Name 'shop-eu.example.com' -Force -ResetSsl -DnsServer $dns
    Get-RunCloudDomain | Format-Table Id, Name, Type | Out-Host

    Step 'Let''s Encrypt HTTP-01: a domain mapped before its DNS points at the server blocks the whole certificate'
    Set-RunCloudEmulatorDns -Name 'early.example.com' -Unpointed
    Add-RunCloudDomain -Name 'early.example.com' -ResetSsl -DnsServer $dns -ErrorAction SilentlyContinue -ErrorVariable refused
    Write-Host "Redeploy refused: $($refused[-1].Exception.Message)"
    Resolve-RunCloudEmulatorDns 'shop.example.com', 'early.example.com' | Format-Table Name, Status, Addresses | Out-Host
    Step 'The customer points it at the server: the next redeploy covers it'
    Set-RunCloudEmulatorDns -Name 'early.example.com' -Address ([RunCloud.Emulator.EmulatorDefaults]::ServerIpAddress)
    Reset-RunCloudSsl -DnsServer $dns -Confirm:$false
    $uncovered = $emulator.GetUncoveredDomains($serverId, $webAppId)
    if ($uncovered.Count -gt 0) { throw "Not covered by the certificate: $($uncovered -join ', ')" }
    Write-Host 'Uncovered domains: none'

    Step 'Live check over TLS: connect with SNI to the emulator''s TLS endpoint and read the certificate served'
    foreach ($name in 'early.example.com', 'blog.example.com') {
        $tcp = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $emulator.TlsPort)
        $ssl = [System.Net.Security.SslStream]::new($tcp.GetStream(), $false, { $true })
        try {
            $ssl.AuthenticateAsClient($name)
            $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ssl.RemoteCertificate)
            $covered = [RunCloud.Emulator.RunCloudEmulator]::CertificateCovers($cert, $name)
            Write-Host ("{0,-20} covered: {1,-5} {2} (issuer {3}, until {4:yyyy-MM-dd})" -f $name, $covered, $cert.Subject, $cert.Issuer, $cert.NotAfter)
        }
        finally { $ssl.Dispose(); $tcp.Dispose() }
    }

    Step 'What was sent to the API'
    Get-RunCloudEmulatorRequest | Select-Object -Last 15 | Format-Table Method, Path, Query, StatusCode, AuthScheme | Out-Host

    Step 'SSL for a whole multisite network: 250 mapped domains, 10 of them not pointed at the server yet'
    # ~500 calls: a second emulator, and a connection to it, without the 60-a-minute pace of the steps above.
    $network = Start-RunCloudEmulator -RateLimitPerMinute 0 -TlsPort 0
    $emulator = $network
    $dns = "$($network.BaseUri)_emulator/dns-query"
    Connect-RunCloud -BaseUri $network.BaseUri -Token (ConvertTo-SecureString $network.Token -AsPlainText -Force) -ServerId $serverId -WebAppId $webAppId -RateLimit 0
    $names = @(1..250 | ForEach-Object { 'site{0:d3}.customer{0:d3}.com' -f $_ })
    $late = @($names | Select-Object -Last 10)
    $late | Set-RunCloudEmulatorDns -Unpointed
    Write-Host 'Basic SSL holds at most 100 names in one certificate: switch the app to one certificate per domain.'
    Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
    Reset-RunCloudSsl -DnsServer $dns
    $run = Sync-RunCloudDomain -Domain $names -DnsServer $dns -WarningAction SilentlyContinue
    Write-Host ("First run: {0} added, {1} names not pointed yet (no certificate asked for them):" -f $run.Added.Count, $run.SslNotReady.Count)
    $run.SslNotReady | Format-Table Name, Status | Out-Host
    $uncovered = @($emulator.GetUncoveredDomains($serverId, $webAppId))
    if (Compare-Object ($uncovered | Sort-Object) ($late | Sort-Object)) { throw "Expected only the 10 unpointed names uncovered, got: $($uncovered -join ', ')" }

    Write-Host 'The customers point their DNS; the next scheduled run covers them.'
    $late | Set-RunCloudEmulatorDns -Default
    $run = Sync-RunCloudDomain -Domain $names -DnsServer $dns
    $uncovered = @($emulator.GetUncoveredDomains($serverId, $webAppId))
    if ($uncovered.Count -gt 0) { throw "Still not covered: $($uncovered -join ', ')" }
    Write-Host "Every one of the $($names.Count + 2) names has its certificate; orders in total: $($emulator.State.GetIssuances().Count) (Let's Encrypt allows 300 per 3 hours)."

    Step 'The expiry report across the fleet'
    Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudSsl -ExpiringWithin 14 |
        Format-Table ServerName, WebAppName, DomainName, ValidUntil, DaysRemaining | Out-Host
    Write-Host '(nothing expires within 14 days)'

    Step 'The live check with Test-RunCloudCertificate: TLS + SNI to the emulator''s endpoint, chain checked against its test CA'
    $live = @($names | Test-RunCloudCertificate -Address 127.0.0.1 -Port $emulator.TlsPort -TrustedRoot $emulator.TlsCertificateAuthority)
    $live | Select-Object -First 5 | Format-Table Name, Status, Covered, ChainValid, DaysRemaining, Issuer | Out-Host
    $notCovered = @($live | Where-Object { -not $_.Covered })
    if ($notCovered) { throw "Not covered live: $($notCovered.Name -join ', ')" }
    Write-Host "All $($live.Count) names are covered live."
    Write-Host "`nDemo finished: add -> one SSL redeploy -> every domain covered -> remove." -ForegroundColor Green
}
finally {
    Disconnect-RunCloud
    if ($network) { Stop-RunCloudEmulator -Emulator $network }
    Stop-RunCloudEmulator -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $demoState -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:RUNCLOUD_STATE_PATH -ErrorAction SilentlyContinue
    foreach ($name in $savedEnvironment.Keys) { Set-Item -LiteralPath "Env:$name" -Value $savedEnvironment[$name] }
}
