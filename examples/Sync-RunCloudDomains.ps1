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

    Exit codes:
      0  in sync (or nothing to do)
      1  the sync ran but some names failed (see the log; the next run retries them)
      2  stopped before any change: a guard (-MaxRemove, empty source), bad input, or no connection
      3  the desired list could not be read (WP-CLI failed, file missing)

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
.PARAMETER NoSslReset
    Do not redeploy the SSL certificate after a change.
.PARAMETER Www
    Added names also serve www.<name>.
.PARAMETER RateLimit
    Client-side pace in requests a minute (default 60).
.PARAMETER LogPath
    The log file (default: sync.log next to this script's logs folder: ~/.runcloud/sync.log).
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

    The task's "Last Run Result" shows the exit code (0x1 = some names failed, 0x2 = stopped by a guard).
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
[CmdletBinding(DefaultParameterSetName = 'WordPress')]
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
$ConfirmPreference = 'High'                 # unattended: never prompt (Sync-RunCloudDomain is Medium impact)

function Step-Log {
    $folder = Split-Path -Parent $LogPath
    if ($folder -and -not (Test-Path $folder)) { New-Item -ItemType Directory -Force -Path $folder | Out-Null }
    if ((Test-Path $LogPath) -and (Get-Item $LogPath).Length -gt $LogMaxBytes) {
        for ($i = $LogKeep; $i -ge 1; $i--) {
            $older = "$LogPath.$i"
            if ($i -eq $LogKeep) { Remove-Item $older -ErrorAction SilentlyContinue; continue }
            if (Test-Path $older) { Move-Item $older "$LogPath.$($i + 1)" -Force }
        }
        Move-Item $LogPath "$LogPath.1" -Force
    }
}

function Write-Log([string] $Message, [string] $Level = 'INFO') {
    $line = '{0:yyyy-MM-ddTHH:mm:ssK} {1,-5} {2}' -f (Get-Date), $Level, $Message
    Add-Content -Path $LogPath -Value $line -Encoding utf8
    Write-Information $line -InformationAction Continue
}

function Get-WordPressDomain {
    $arguments = @('site', 'list', '--format=json', '--fields=blog_id,url,archived,spam,deleted', "--path=$WordPressPath", '--skip-plugins', '--skip-themes') + $WpCliArgument
    # stderr (PHP notices) must not stop the script under Windows PowerShell's 'Stop': read it as text.
    $output = & { $ErrorActionPreference = 'Continue'; & $WpCli @arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$WpCli site list failed (exit code $LASTEXITCODE): $($output -join ' ')" }
    $text = ($output | Where-Object { $_ -is [string] }) -join "`n"
    if ($text.TrimStart().StartsWith('[')) {
        # Archived, spam and deleted sites are not served: they are not desired.
        $sites = @($text | ConvertFrom-Json)
        $sites | Where-Object { -not ($_.PSObject.Properties['archived'] -and "$($_.archived)" -eq '1') -and
                                -not ($_.PSObject.Properties['spam'] -and "$($_.spam)" -eq '1') -and
                                -not ($_.PSObject.Properties['deleted'] -and "$($_.deleted)" -eq '1') }
    }
    else {
        # `wp site list --field=url` style: one URL per line; the host is the domain.
        $text -split "`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ url = $_ } }
    }
}

Step-Log
$started = Get-Date
Write-Log ("Sync started: source {0}, prune {1}, max remove {2}." -f $(if ($DomainFile) { "file $DomainFile" } else { "WP-CLI at $WordPressPath" }), $Prune.IsPresent, $MaxRemove)

try {
    Import-Module $ModulePath -ErrorAction Stop
}
catch {
    Write-Log "Cannot load RunCloud.PowerShell from '$ModulePath': $($_.Exception.Message)" 'ERROR'
    exit 2
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
    exit 3
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
    Write-Log "Cannot connect to RunCloud: $($_.Exception.Message)" 'ERROR'
    exit 2
}

# 3. Sync. A redeploy a previous run could not finish (a failure, a crash) is remembered by the module's journal, per
#    account + server + web app, and finished by this run on its own (it says so in a warning and in FinishedPending).
$sync = @{ Prune = $Prune; Exclude = $Exclude; MaxRemove = $MaxRemove; NoSslReset = $NoSslReset; Www = $Www; Confirm = $false }
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
    Write-Log "Sync stopped before any change: $($_.Exception.Message) [$($_.FullyQualifiedErrorId)]" 'ERROR'
    Disconnect-RunCloud -ErrorAction SilentlyContinue
    exit 2
}
finally {
    Disconnect-RunCloud -ErrorAction SilentlyContinue
}

if (-not $result) {
    foreach ($e in $syncErrors) { Write-Log "$($e.Exception.Message) [$($e.FullyQualifiedErrorId)]" 'ERROR' }
    exit 2
}

foreach ($warning in $syncWarnings) { Write-Log "$warning" 'WARN' }
foreach ($finished in $result.FinishedPending) { Write-Log "finished what a previous run left owed: $finished" 'WARN' }
foreach ($name in $result.Added) { Write-Log "added $name" }
foreach ($name in $result.Removed) { Write-Log "removed $name" }
foreach ($skip in $result.Skipped) { Write-Log "skipped $($skip.Name): $($skip.Reason)" 'WARN' }
foreach ($failure in $result.Failed) { Write-Log "FAILED $($failure.Action) $($failure.Name) [$($failure.ErrorId)]: $($failure.Message)" 'ERROR' }
Write-Log ("Sync ended in {0:0.0} s: {1} added, {2} removed, {3} unchanged, {4} skipped, {5} failed; SSL redeployed: {6}; {7} API calls." -f
    ((Get-Date) - $started).TotalSeconds, $result.Added.Count, $result.Removed.Count, $result.Unchanged.Count,
    $result.Skipped.Count, $result.Failed.Count, $result.SslRedeployed, $result.ApiCalls) $(if ($result.Success) { 'INFO' } else { 'ERROR' })

if (-not $result.Success) { exit 1 }
exit 0
