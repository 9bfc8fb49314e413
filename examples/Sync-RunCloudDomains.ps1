#Requires -Version 5.1
<#
.SYNOPSIS
    Makes a RunCloud web app's domains match the sites of a WordPress network (or a file), for a scheduled task.

.DESCRIPTION
    Reads the desired domain names from WP-CLI (`wp site list`, with -WordPressPath) or from a file (-DomainFile:
    text one name per line, JSON, or CSV with a Domain column), connects to RunCloud and runs Sync-RunCloudDomain:
    missing names are added, the SSL certificate is redeployed once, and with -Prune the names no longer wanted
    are removed (never the primary domain, RunCloud's own *.runcloud.link names, or -Exclude names; more than
    -MaxRemove removals stop the whole run before any change).

    Credentials: -WpConfigPath reads them from a wp-config.php (WU_RUNCLOUD_API_TOKEN, or WU_RUNCLOUD_API_KEY +
    WU_RUNCLOUD_API_SECRET, and WU_RUNCLOUD_SERVER_ID / WU_RUNCLOUD_APP_ID); otherwise the environment variables
    RUNCLOUD_API_TOKEN (or WU_RUNCLOUD_API_TOKEN, or WU_RUNCLOUD_API_KEY + WU_RUNCLOUD_API_SECRET) and
    WU_RUNCLOUD_SERVER_ID / WU_RUNCLOUD_APP_ID. No secret is ever written to the log.

    Every run appends to -LogPath; when the log is larger than -LogMaxBytes it is rotated (sync.log -> sync.log.1
    -> ... -> sync.log.<LogKeep>, the oldest dropped).

    -WhatIf logs the plan (what would be added, removed, skipped) and changes nothing; its exit code says whether the
    real run would go ahead (0) or a guard would stop it (2).

    Exit codes (one table; the task scheduler's "Last Run Result" shows them):

      code  meaning                                   what to do
      ----  ----------------------------------------  --------------------------------------------------------------
      0     in sync, or nothing to do (-WhatIf: the    nothing
            real run would go ahead)
      1     bad parameters or configuration: a         fix the task's command line or files; a re-run alone will not
            parameter PowerShell cannot bind (its own  help. The log (or, when -LogPath itself is the problem, the
            exit code for that), -LogPath a directory  task's standard error) says which
            or not writable, the domain file missing,
            WP-CLI failing, the module not found, no
            credentials, no server or web app id
      2     a guard stopped the run before any change  check the source list; if the removals are intended, raise
            (-MaxRemove, an empty source with -Prune)  -MaxRemove for one run
      3     some names failed, or RunCloud could not   nothing: the next run retries them (see the ERROR lines)
            be reached
      4     authentication refused (401/403): a        replace the API token (or key and secret), or check the plan's
            revoked or wrong token, or no API access   API access; this does not heal by itself

    Expected skips (the web app's primary domain, RunCloud's own *.runcloud.link names, -Exclude names) are logged as
    INFO: a run with nothing to do logs no WARN line. Entries of the source that are not domain names are WARN.

.PARAMETER WordPressPath
    The WordPress network's root folder, passed to `wp --path`. The sites' URLs give the host names.
.PARAMETER WpCli
    The WP-CLI command (default `wp`, found on the PATH).
.PARAMETER WpCliArgument
    Extra WP-CLI arguments, e.g. '--allow-root' when the task runs as root.
.PARAMETER DomainFile
    A file with the desired names instead of WP-CLI.
.PARAMETER WpConfigPath
    A wp-config.php to read the RunCloud credentials and ids from.
.PARAMETER BaseUri
    Another API base URL (the emulator's, for a test).
.PARAMETER ServerId
    The server id (default: from wp-config.php or WU_RUNCLOUD_SERVER_ID).
.PARAMETER WebAppId
    The web app id (default: from wp-config.php or WU_RUNCLOUD_APP_ID).
.PARAMETER Prune
    Also remove the names that are not in the desired list.
.PARAMETER Exclude
    Wildcards of names never touched.
.PARAMETER MaxRemove
    Most removals one run may make (default 10); more stop the run with exit code 2.
.PARAMETER WhatIf
    Log the plan and change nothing. Exit code 2 when a guard would stop the real run, 0 otherwise.
.PARAMETER NoSslReset
    Do not redeploy the SSL certificate after a change.
.PARAMETER Www
    Added names also serve www.<name>.
.PARAMETER RateLimit
    Client-side pace in requests a minute (default 60).
.PARAMETER LogPath
    The log file (default: ~/.runcloud/sync.log). Its folder is created when missing; a path that is a directory, or a
    file that cannot be written, is a configuration error (exit code 1, reported on standard error).
.PARAMETER LogKeep
    How many rotated logs to keep (default 5).
.PARAMETER LogMaxBytes
    Rotate the log when it is larger than this (default 1 MB).
.PARAMETER ModulePath
    Where RunCloud.PowerShell is (default: the installed module).

.EXAMPLE
    ./Sync-RunCloudDomains.ps1 -WordPressPath /home/runcloud/webapps/network -WpConfigPath /home/runcloud/webapps/network/wp-config.php -Prune

    Adds every site of the network to the web app named in wp-config.php and removes the names of deleted sites.

.EXAMPLE
    $env:RUNCLOUD_API_TOKEN = '...'; $env:WU_RUNCLOUD_SERVER_ID = 1001; $env:WU_RUNCLOUD_APP_ID = 2001
    ./Sync-RunCloudDomains.ps1 -DomainFile ./domains.txt

    Adds the names listed in domains.txt; removes nothing (no -Prune).

.NOTES
    Windows Task Scheduler (every 10 minutes, as a service account, credentials in its environment or wp-config.php):

        $action  = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument '-NoProfile -NonInteractive -File C:\runcloud\Sync-RunCloudDomains.ps1 -DomainFile C:\runcloud\domains.txt -Prune -LogPath C:\runcloud\logs\sync.log'
        $trigger = New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes 10)
        $settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -ExecutionTimeLimit (New-TimeSpan -Minutes 30)
        Register-ScheduledTask -TaskName 'RunCloud domain sync' -Action $action -Trigger $trigger -Settings $settings -User 'NT AUTHORITY\NETWORK SERVICE'

    The task's "Last Run Result" shows the exit code (0x1 = configuration, 0x2 = stopped by a guard, 0x3 = some names
    failed, retried next run, 0x4 = authentication refused).
    Set RUNCLOUD_API_TOKEN for that account (System Properties > Environment Variables) or pass -WpConfigPath.

    Linux, systemd (/etc/systemd/system/runcloud-sync.service):

        [Unit]
        Description=Sync RunCloud domains with the WordPress network
        After=network-online.target

        [Service]
        Type=oneshot
        User=runcloud
        EnvironmentFile=/etc/runcloud-sync.env
        ExecStart=/usr/bin/pwsh -NoProfile -NonInteractive -File /opt/runcloud/Sync-RunCloudDomains.ps1 -WordPressPath /home/runcloud/webapps/network -Prune -LogPath /var/log/runcloud/sync.log

    and /etc/systemd/system/runcloud-sync.timer:

        [Unit]
        Description=Sync RunCloud domains every 10 minutes

        [Timer]
        OnBootSec=2min
        OnUnitActiveSec=10min
        Persistent=true

        [Install]
        WantedBy=timers.target

    then `systemctl daemon-reload && systemctl enable --now runcloud-sync.timer`. /etc/runcloud-sync.env
    (mode 0600) holds RUNCLOUD_API_TOKEN=..., WU_RUNCLOUD_SERVER_ID=..., WU_RUNCLOUD_APP_ID=.... A failed run
    shows in `systemctl status runcloud-sync.service`; a oneshot service never overlaps itself.

    cron (crontab -e of the site user; flock keeps two runs from overlapping):

        */10 * * * * flock -n /tmp/runcloud-sync.lock pwsh -NoProfile -NonInteractive -File /opt/runcloud/Sync-RunCloudDomains.ps1 -WordPressPath /home/runcloud/webapps/network -WpConfigPath /home/runcloud/webapps/network/wp-config.php -Prune -LogPath /home/runcloud/logs/runcloud-sync.log
#>
[CmdletBinding(DefaultParameterSetName = 'WordPress', SupportsShouldProcess)]
param(
    [Parameter(Mandatory, ParameterSetName = 'WordPress')] [string] $WordPressPath,
    [Parameter(ParameterSetName = 'WordPress')] [string] $WpCli = 'wp',
    [Parameter(ParameterSetName = 'WordPress')] [string[]] $WpCliArgument = @(),
    [Parameter(Mandatory, ParameterSetName = 'File')] [string] $DomainFile,
    [string] $WpConfigPath,
    [string] $BaseUri,
    [long] $ServerId,
    [long] $WebAppId,
    [switch] $Prune,
    [string[]] $Exclude = @(),
    [int] $MaxRemove = 10,
    [switch] $NoSslReset,
    [switch] $Www,
    [int] $RateLimit = 60,
    [string] $LogPath = (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.runcloud/sync.log'),
    [ValidateRange(1, 100)] [int] $LogKeep = 5,
    [ValidateRange(100, [long]::MaxValue)] [long] $LogMaxBytes = 1MB,
    [string] $ModulePath = 'RunCloud.PowerShell'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # no progress bars in a task's output
$ConfirmPreference = 'None'                 # unattended: never prompt
$planOnly = [bool]$WhatIfPreference         # -WhatIf: the sync plans; the script's own files are still written
$WhatIfPreference = $false

# The exit codes, documented in the help above.
$ExitSuccess = 0; $ExitConfiguration = 1; $ExitGuard = 2; $ExitRetry = 3; $ExitAuthentication = 4

# ErrorIds that say the configuration is wrong (a re-run will not help), and those that say the credentials are refused.
$ConfigurationErrors = 'RunCloudCredentialsNotFound', 'RunCloudInvalidWpConfig', 'RunCloudInvalidBaseUri', 'RunCloudInvalidInput',
    'RunCloudServerIdRequired', 'RunCloudWebAppIdRequired', 'RunCloudInvalidDomainName', 'RunCloudNotFound'
$AuthenticationErrors = 'RunCloudAuthenticationFailed', 'RunCloudForbidden'
$GuardErrors = 'RunCloudSyncTooManyRemovals', 'RunCloudSyncEmptySource'

function Get-ExitCode([string] $ErrorId) {
    $id = ($ErrorId -split ',')[0]
    if ($id -in $AuthenticationErrors) { return $ExitAuthentication }
    if ($id -in $GuardErrors) { return $ExitGuard }
    if ($id -in $ConfigurationErrors) { return $ExitConfiguration }
    $ExitRetry
}

# A log that cannot be written is a configuration error, said on standard error (the task's output), not in the log.
function Stop-BadLog([string] $Why) {
    [Console]::Error.WriteLine("Sync-RunCloudDomains: -LogPath $LogPath $Why Pass -LogPath with a file in a folder this account can write (exit code $ExitConfiguration).")
    exit $ExitConfiguration
}

function Step-Log {
    if (Test-Path -LiteralPath $LogPath -PathType Container) { Stop-BadLog 'is a directory, not a file.' }
    try {
        $folder = Split-Path -Parent $LogPath
        if ($folder -and -not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Force -Path $folder | Out-Null }
        if ((Test-Path -LiteralPath $LogPath) -and (Get-Item -LiteralPath $LogPath).Length -gt $LogMaxBytes) {
            for ($i = $LogKeep; $i -ge 1; $i--) {
                $older = "$LogPath.$i"
                if ($i -eq $LogKeep) { Remove-Item -LiteralPath $older -ErrorAction SilentlyContinue; continue }
                if (Test-Path -LiteralPath $older) { Move-Item -LiteralPath $older "$LogPath.$($i + 1)" -Force }
            }
            Move-Item -LiteralPath $LogPath "$LogPath.1" -Force
        }
        # Open for append once, so an unwritable file is found now, before any change.
        $stream = [System.IO.File]::Open($LogPath, [System.IO.FileMode]::Append, [System.IO.FileAccess]::Write, [System.IO.FileShare]::ReadWrite)
        $stream.Dispose()
    }
    catch {
        Stop-BadLog "cannot be written: $($_.Exception.Message)"
    }
}

function Write-Log([string] $Message, [string] $Level = 'INFO') {
    $line = '{0:yyyy-MM-ddTHH:mm:ssK} {1,-5} {2}' -f (Get-Date), $Level, $Message
    Add-Content -LiteralPath $LogPath -Value $line -Encoding utf8
    Write-Information $line -InformationAction Continue
}

function Get-WordPressDomain {
    $arguments = @('site', 'list', '--format=json', '--fields=blog_id,url,archived,spam,deleted', "--path=$WordPressPath", '--skip-plugins', '--skip-themes') + $WpCliArgument
    # stderr (PHP notices) must not stop the script under Windows PowerShell's 'Stop': read it as text.
    $output = & { $ErrorActionPreference = 'Continue'; & $WpCli @arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$WpCli site list failed (exit code $LASTEXITCODE): $($output -join ' ')" }
    $lines = @(($output | Where-Object { $_ -is [string] }) -join "`n" -split "`r?`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    # PHP may print notices and warnings on standard output too (display_errors): take what is valid - the JSON
    # list, or one URL per line (`wp site list --field=url`) - and warn about the rest instead of losing the sites.
    $sites = [System.Collections.Generic.List[object]]::new()
    $ignored = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $lines) {
        if ($line.StartsWith('[')) {
            try {
                # Archived, spam and deleted sites are not served: they are not desired.
                foreach ($site in @($line | ConvertFrom-Json)) {
                    if (($site.PSObject.Properties['archived'] -and "$($site.archived)" -eq '1') -or
                        ($site.PSObject.Properties['spam'] -and "$($site.spam)" -eq '1') -or
                        ($site.PSObject.Properties['deleted'] -and "$($site.deleted)" -eq '1')) { continue }
                    $sites.Add($site)
                }
                continue
            }
            catch { }
        }
        if ($line -match '^https?://\S+$') { $sites.Add([pscustomobject]@{ url = $line }); continue }
        $ignored.Add($line)
    }
    foreach ($line in $ignored) {
        $shown = if ($line.Length -gt 200) { $line.Substring(0, 200) + '...' } else { $line }
        Write-Log "Ignored a line of WP-CLI's output that is neither its JSON list nor a URL (a PHP notice?): $shown" 'WARN'
    }
    if ($sites.Count -eq 0 -and $ignored.Count -gt 0) { throw "$WpCli site list printed no site list, only: $($ignored[0])" }
    $sites
}

Step-Log
$started = Get-Date
Write-Log ("Sync started{0}: source {1}, prune {2}, max remove {3}." -f $(if ($planOnly) { ' (-WhatIf: plan only, nothing is changed)' }),
    $(if ($DomainFile) { "file $DomainFile" } else { "WP-CLI at $WordPressPath" }), $Prune.IsPresent, $MaxRemove)

try {
    Import-Module $ModulePath -ErrorAction Stop
}
catch {
    Write-Log "Cannot load RunCloud.PowerShell from '$ModulePath': $($_.Exception.Message)" 'ERROR'
    exit $ExitConfiguration
}

# 1. The desired names.
$syncInput = @{}
try {
    if ($DomainFile) {
        if (-not (Test-Path -LiteralPath $DomainFile -PathType Leaf)) { throw "The domain file $DomainFile does not exist." }
        $syncInput.Path = $DomainFile
        Write-Log "Reading the desired names from $DomainFile."
    }
    else {
        $sites = @(Get-WordPressDomain)
        Write-Log "WP-CLI listed $($sites.Count) site(s)."
        $syncInput.InputObject = $sites
    }
}
catch {
    Write-Log "Cannot read the desired names: $($_.Exception.Message)" 'ERROR'
    exit $ExitConfiguration
}

# 2. Connect (wp-config.php, or the environment).
$connect = @{ RateLimit = $RateLimit }
if ($WpConfigPath) { $connect.WpConfigPath = $WpConfigPath }
if ($BaseUri) { $connect.BaseUri = $BaseUri }
if ($ServerId) { $connect.ServerId = $ServerId }
if ($WebAppId) { $connect.WebAppId = $WebAppId }
try {
    Connect-RunCloud @connect
}
catch {
    $code = Get-ExitCode $_.FullyQualifiedErrorId
    $what = switch ($code) { $ExitAuthentication { 'RunCloud refused the credentials' } $ExitConfiguration { 'The connection is not configured' } default { 'Cannot reach RunCloud' } }
    Write-Log "$what`: $($_.Exception.Message) [$($_.FullyQualifiedErrorId)]" 'ERROR'
    exit $code
}

# 3. Sync. A redeploy a previous run could not finish (a failure, a crash) is remembered by the module's journal, per
#    account + server + web app, and finished by this run on its own (it says so in a warning and in FinishedPending).
$sync = @{ Prune = $Prune; Exclude = $Exclude; MaxRemove = $MaxRemove; NoSslReset = $NoSslReset; Www = $Www; Confirm = $false; WhatIf = $planOnly }
$syncErrors = @()
try {
    if ($syncInput.ContainsKey('Path')) {
        $result = Sync-RunCloudDomain -Path $syncInput.Path @sync -ErrorAction SilentlyContinue -ErrorVariable syncErrors -WarningVariable syncWarnings -WarningAction SilentlyContinue
    }
    else {
        $result = $syncInput.InputObject | Sync-RunCloudDomain @sync -ErrorAction SilentlyContinue -ErrorVariable syncErrors -WarningVariable syncWarnings -WarningAction SilentlyContinue
    }
}
catch {
    $code = Get-ExitCode $_.FullyQualifiedErrorId
    Write-Log "Sync stopped before any change: $($_.Exception.Message) [$($_.FullyQualifiedErrorId)]" 'ERROR'
    Disconnect-RunCloud -ErrorAction SilentlyContinue
    exit $code
}
finally {
    Disconnect-RunCloud -ErrorAction SilentlyContinue
}

if (-not $result) {
    foreach ($e in $syncErrors) { Write-Log "$($e.Exception.Message) [$($e.FullyQualifiedErrorId)]" 'ERROR' }
    exit $(if ($syncErrors) { Get-ExitCode $syncErrors[0].FullyQualifiedErrorId } else { $ExitRetry })
}

$would = if ($planOnly) { 'would be ' } else { '' }
if ($syncInput.ContainsKey('Path')) {
    $invalid = @($result.Skipped | Where-Object Kind -EQ 'Invalid').Count
    Write-Log ("Read {0} name(s) from {1}{2}." -f $result.DesiredCount, $DomainFile, $(if ($invalid) { " and $invalid entr$(if ($invalid -eq 1) { 'y' } else { 'ies' }) that are not domain names" }))
}
# A guard's warning under -WhatIf is reported once, below, as the plan's verdict.
foreach ($warning in $syncWarnings) { if (-not ($planOnly -and $result.StoppedBy)) { Write-Log "$warning" 'WARN' } }
foreach ($finished in $result.FinishedPending) { Write-Log "finished what a previous run left owed: $finished" 'WARN' }
foreach ($name in $result.Added) { Write-Log "$($would)added $name" }
foreach ($name in $result.Removed) { Write-Log "$($would)removed $name" }
# The primary domain, RunCloud's own names and -Exclude names are skipped by design: INFO. A bad entry is WARN.
foreach ($skip in $result.Skipped) { Write-Log "skipped $($skip.Name): $($skip.Reason)" $(if ($skip.Kind -eq 'Invalid') { 'WARN' } else { 'INFO' }) }
foreach ($failure in $result.Failed) { Write-Log "FAILED $($failure.Action) $($failure.Name) [$($failure.ErrorId)]: $($failure.Message)" 'ERROR' }

if ($planOnly) {
    if ($result.StoppedBy) {
        Write-Log ("Plan: the real run would stop before any change [{0}]: {1} name(s) desired, {2} removal(s) planned. Check the source list; if the removals are intended, pass -MaxRemove {2} for one run." -f
            $result.StoppedBy, $result.DesiredCount, $result.Removed.Count) 'WARN'
        exit $ExitGuard
    }
    Write-Log ("Plan ({0:0.0} s): {1} to add, {2} to remove, {3} unchanged, {4} skipped; nothing was changed (-WhatIf)." -f
        ((Get-Date) - $started).TotalSeconds, $result.Added.Count, $result.Removed.Count, $result.Unchanged.Count, $result.Skipped.Count)
    exit $ExitSuccess
}

Write-Log ("Sync ended in {0:0.0} s: {1} added, {2} removed, {3} unchanged, {4} skipped, {5} failed; SSL redeployed: {6}; {7} API calls." -f
    ((Get-Date) - $started).TotalSeconds, $result.Added.Count, $result.Removed.Count, $result.Unchanged.Count,
    $result.Skipped.Count, $result.Failed.Count, $result.SslRedeployed, $result.ApiCalls) $(if ($result.Success) { 'INFO' } else { 'ERROR' })

if (-not $result.Success) {
    # A refused credential does not heal by the next run; anything else (a 5xx, a timeout, a 422 on one name) may.
    if (@($result.Failed | Where-Object { $_.ErrorId -in $AuthenticationErrors }).Count -gt 0) { exit $ExitAuthentication }
    exit $ExitRetry
}
exit $ExitSuccess
