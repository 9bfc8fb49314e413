# Dot-sourced by every *.Tests.ps1: imports the BUILT module (build.ps1 passes its path) into this pwsh.
$script:ModulePath = if ($env:RUNCLOUD_TEST_MODULE_PATH) { $env:RUNCLOUD_TEST_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/RunCloud.PowerShell' }
if (-not (Test-Path (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1'))) {
    throw "The built module is not at $script:ModulePath: run 'dotnet pwsh ./build.ps1 -Task Build' first."
}
Import-Module $script:ModulePath -Force -ErrorAction Stop

# The module's durable state (journals, locks) goes to a fresh temporary folder for every test file, and to child
# processes through the environment: no test ever reads or writes the user's real state folder.
$script:TestStatePath = Join-Path ([IO.Path]::GetTempPath()) ("runcloud-pester-state-" + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $script:TestStatePath -Force
# The module refuses a state folder its group or others can write: make it 0700 whatever the umask of the machine.
if (-not $IsWindows) { [IO.File]::SetUnixFileMode($script:TestStatePath, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
$env:RUNCLOUD_STATE_PATH = $script:TestStatePath

# The RunCloud API emulator is a module of its own (RunCloud.PowerShell.Emulator), imported explicitly as a user's
# tests would: by default the folder build.ps1 writes beside the main module.
$script:EmulatorModulePath = if ($env:RUNCLOUD_TEST_EMULATOR_MODULE_PATH) { $env:RUNCLOUD_TEST_EMULATOR_MODULE_PATH } else { Join-Path (Split-Path -Parent $script:ModulePath) 'RunCloud.PowerShell.Emulator' }
if (-not (Test-Path (Join-Path $script:EmulatorModulePath 'RunCloud.PowerShell.Emulator.psd1'))) {
    throw "The built emulator module is not at $script:EmulatorModulePath: run 'dotnet pwsh ./build.ps1 -Task Build' first."
}
Import-Module $script:EmulatorModulePath -Force -ErrorAction Stop

# The emulator's names do not resolve to its servers in real DNS: tests check DNS readiness only where they supply the
# answers themselves (-DnsServer with the emulator's DNS table, over DNS-over-HTTPS or UDP), clearing this around it.
$env:RUNCLOUD_SKIP_DNS_CHECK = '1'
# Let's Encrypt's 100 names per certificate, unless a test file says its emulator turned the limit off.
$env:RUNCLOUD_MAX_NAMES_PER_CERTIFICATE = $null

# The journals that hold owed work (adds, removals, an SSL redeploy or reinstall). Since issue 14 a journal may also
# stay for the SSL strategy's own record (extensions.ssl: Let's Encrypt order counts, names waiting for DNS), which is
# not unfinished work: the safety tests' "nothing is owed" checks look at these files only.
function Get-OwedJournal {
    foreach ($file in @(Get-ChildItem $env:RUNCLOUD_STATE_PATH -Filter *.json -ErrorAction SilentlyContinue)) {
        $j = Get-Content -Raw $file.FullName | ConvertFrom-Json
        if (@($j.pendingAdds).Count -gt 0 -or @($j.pendingRemovals).Count -gt 0 -or $j.sslRedeployPending -or @($j.sslDomains).Count -gt 0 -or $null -ne $j.sslReinstall) { $file }
    }
}

# The command line of this pwsh, to start child processes with the very same PowerShell.
function Get-TestPwshCommand {
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path -Leaf $process) -match '^dotnet(\.exe)?$' -and (Test-Path $dll)) { return @($process, $dll) }
    @($process)
}

# Runs Invoke-RunCloudScheduledSync in a child pwsh exactly as a registered task does: -NoProfile -NonInteractive
# -Command, the module imported by path, exit with $LASTEXITCODE (1 when the module or a parameter fails first).
# $Arguments are the cmdlet's: '-Name' tokens as they are, every other one quoted. Returns the exit code; the child's
# output (standard output and error) is left in $script:ScheduledOutput.
function Invoke-ScheduledSyncProcess([string[]] $Arguments) {
    $call = ($Arguments | ForEach-Object { if ($_ -match '^-[A-Za-z]+$') { $_ } else { "'" + ($_ -replace "'", "''") + "'" } }) -join ' '
    $script = "`$ProgressPreference = 'SilentlyContinue'; if (`$PSStyle) { `$PSStyle.OutputRendering = 'PlainText' }; try { Import-Module '$($script:ModulePath -replace "'", "''")' -ErrorAction Stop; " +
        "Invoke-RunCloudScheduledSync $call -InformationAction Continue | Out-Null; exit `$LASTEXITCODE } " +
        "catch { [Console]::Error.WriteLine('Invoke-RunCloudScheduledSync could not run: ' + `$_); exit 1 }"
    $pwsh = Get-TestPwshCommand
    $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
    $script:ScheduledOutput = & $exe @rest -NoProfile -NonInteractive -Command $script 2>&1
    $LASTEXITCODE
}
