#Requires -Version 5.1
<#
.SYNOPSIS
    The main job end to end against the RunCloud API emulator: connect, list a web app's domains, add a domain,
    redeploy SSL so the certificate covers it, remove it, and stop the emulator.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
if (-not (Get-Command Start-RunCloudEmulator -ErrorAction SilentlyContinue)) {
    throw 'The demo needs the RunCloud API emulator (Start-RunCloudEmulator), which issue 3 brings; it is not in this build yet.'
}
