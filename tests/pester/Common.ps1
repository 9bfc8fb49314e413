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

# Connecting to the emulator and reading what it holds and received (one definition each, shared by every file).
. (Join-Path $PSScriptRoot 'EmulatorHelpers.ps1')

# The journals that hold owed work (adds, removals, an SSL redeploy or reinstall). A journal may also
# stay for the SSL strategy's own record (extensions.ssl: Let's Encrypt order counts, names waiting for DNS), which is
# not unfinished work: the safety tests' "nothing is owed" checks look at these files only.
function Get-OwedJournal {
    foreach ($file in @(Get-ChildItem $env:RUNCLOUD_STATE_PATH -Filter *.json -ErrorAction SilentlyContinue)) {
        $j = Get-Content -Raw $file.FullName | ConvertFrom-Json
        if (@($j.pendingAdds).Count -gt 0 -or @($j.pendingRemovals).Count -gt 0 -or $j.sslRedeployPending -or @($j.sslDomains).Count -gt 0 -or $null -ne $j.sslReinstall) { $file }
    }
}

# The format files a built module loads: its manifest's FormatsToProcess and those of the manifests it nests (the main
# module keeps its views in a nested manifest imported after its loader: module/views/RunCloud.PowerShell.Format.psd1).
function Get-ModuleFormatFile([string] $ModuleFolder, [string] $Name) {
    $manifest = Import-PowerShellDataFile (Join-Path $ModuleFolder "$Name.psd1")
    foreach ($file in @($manifest.FormatsToProcess)) { Join-Path $ModuleFolder $file }
    foreach ($nested in @($manifest.NestedModules | Where-Object { $_ -like '*.psd1' })) {
        $folder = Split-Path -Parent (Join-Path $ModuleFolder $nested)
        foreach ($file in @((Import-PowerShellDataFile (Join-Path $ModuleFolder $nested)).FormatsToProcess)) { Join-Path $folder $file }
    }
}

# The command line of this pwsh, to start child processes with the very same PowerShell.
function Get-TestPwshCommand {
    $process = [Environment]::ProcessPath
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path -Leaf $process) -match '^dotnet(\.exe)?$' -and (Test-Path $dll)) { return @($process, $dll) }
    @($process)
}

# Runs a script in a fresh pwsh (-NoProfile -NonInteractive, the very PowerShell of this session) and returns its
# output lines; $LASTEXITCODE is the child's.
function Invoke-TestPwsh([string] $Command) {
    $pwsh = Get-TestPwshCommand
    $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
    & $exe @rest -NoProfile -NonInteractive -Command $Command
}

# The crash cases' kill switch lives in the tests, not in the module: the apply engine has an internal step observer
# (RunCloud.PowerShell.Sync.AppSyncEngine.StepObserver, called at every step boundary) that a child process sets to a
# delegate from this small test-only assembly. At the N-th boundary it writes "RUNCLOUD-CRASH-POINT N: <step>" to
# stderr and kills its own process (no cleanup, no finally blocks: like kill -9). Compiled once per test file.
function Get-CrashHookPath {
    if ($script:CrashHookPath -and (Test-Path $script:CrashHookPath)) { return $script:CrashHookPath }
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("runcloud-crash-hook-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $dir
    $path = Join-Path $dir 'RunCloudCrashHook.dll'
    Add-Type -OutputAssembly $path -OutputType Library -TypeDefinition @'
public static class RunCloudCrashHook
{
    private static int s_at;
    private static int s_reached;

    public static System.Action<string> At(int step)
    {
        s_at = step;
        return Reached;
    }

    private static void Reached(string step)
    {
        if (System.Threading.Interlocked.Increment(ref s_reached) != s_at) return;
        System.Console.Error.WriteLine("RUNCLOUD-CRASH-POINT " + s_at + ": " + step);
        System.Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
    }
}
'@
    $script:CrashHookPath = $path
    $path
}

# The lines a child script runs after importing the module: the engine's step observer kills the process at step $Step.
function Get-CrashHookScript([int] $Step) {
    $hook = Get-CrashHookPath
    @"
Add-Type -Path '$hook'
`$engine = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'RunCloud.PowerShell' })[0].GetType('RunCloud.PowerShell.Sync.AppSyncEngine', `$true)
`$engine.GetProperty('StepObserver', [Reflection.BindingFlags]'NonPublic,Static').SetValue(`$null, [RunCloudCrashHook]::At($Step))
"@
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

# What the Ultimate Multisite reader's `wp eval-file` prints for a WordPress network WITHOUT Ultimate Multisite (no
# mapping table): its sites, the first host the network's main domain. The fake `wp` of the scheduled-sync tests prints
# it (with -Via WpCli), so they exercise the WP-CLI path without PHP; -Notice puts a PHP notice before it, as WordPress does.
function New-FakeWpFacts([string[]] $Hosts, [switch] $Notice) {
    $i = 0
    $facts = [ordered]@{
        subdomain_install = $true
        main_network_id   = 1
        base_prefix       = 'wp_'
        networks          = @([ordered]@{ id = 1; domain = $Hosts[0]; path = '/'; has_settings = $false; www = $null })
        blogs             = @($Hosts | ForEach-Object { $i++; [ordered]@{ blog_id = $i; site_id = 1; domain = $_; path = '/'; archived = 0; spam = 0; deleted = 0 } })
        tables            = @()
    }
    $line = 'RUNCLOUD-UM-FACTS:' + (ConvertTo-Json -Compress -Depth 5 $facts)
    if ($Notice) { "PHP Notice:  Undefined index: HTTP_HOST in /srv/network/wp-config.php on line 91`n$line" } else { $line }
}
