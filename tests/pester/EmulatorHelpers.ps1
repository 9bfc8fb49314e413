# Helpers every test file shares to drive and inspect the RunCloud API emulator; dot-sourced by Common.ps1, so a test
# file gets them with Common.ps1. One definition each: a test file that needs a variant passes a parameter, it does not
# define its own copy. (The emulator's defaults: server 1001, web app 2001.)

# Opens the default connection to an emulator's account, without the module's client-side rate limit; with the
# emulator's server and web app as the defaults unless -NoDefaults. -ClearRequests empties the emulator's request log
# afterwards, so a test sees only the requests of what it does next.
function Connect-TestEmulator {
    param(
        [Parameter(Mandatory)] $Emulator,
        [switch] $NoDefaults,
        [switch] $ClearRequests,
        [switch] $PassThru
    )
    $ids = if ($NoDefaults) { @{} } else { @{ ServerId = 1001; WebAppId = 2001 } }
    Connect-RunCloud -BaseUri $Emulator.BaseUri -Token (ConvertTo-SecureString $Emulator.Token -AsPlainText -Force) -RateLimit 0 @ids -PassThru:$PassThru
    if ($ClearRequests) { $Emulator.ClearRequests() }
}

# The names of a web app's domains as the emulator holds them: read from its state, so reading sends no request.
function Get-EmulatorDomainName {
    param(
        [Parameter(Mandatory)] $Emulator,
        [long] $WebAppId = 2001,
        [long] $ServerId = 1001
    )
    @($Emulator.State.GetDomains($ServerId, $WebAppId) | ForEach-Object Name)
}

# The requests that change something (POST, PUT, PATCH, DELETE) the emulator received, oldest first; without
# -Emulator, those of the emulator Get-RunCloudEmulatorRequest reads by default.
function Get-EmulatorMutation {
    param($Emulator)
    $requests = if ($Emulator) { $Emulator.GetRequests() } else { Get-RunCloudEmulatorRequest }
    @($requests | Where-Object Method -In 'POST', 'PUT', 'PATCH', 'DELETE')
}

# Writes a manifest (an object ConvertTo-Json turns into the manifest's JSON) into the test drive; returns its path.
function Write-TestManifest {
    param(
        [Parameter(Mandatory)] [object] $Manifest,
        [string] $Name = 'fleet.json'
    )
    $path = Join-Path $TestDrive $Name
    $Manifest | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $path -Encoding utf8
    $path
}
