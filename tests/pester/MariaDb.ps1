# Dot-sourced by the Pester files that read Ultimate Multisite from a real database: starts a MariaDB of their own
# (Debian's mariadb-server: a temp data folder, a free loopback port, a socket, a user with a password), loads
# tests/fixtures/ultimate-multisite/networks.sql, and writes WordPress roots whose wp-config.php points at it.
# A machine without mariadbd FAILS these tests (Start-TestMariaDb throws what to install); they never skip.

$script:UmFixtureSql = Join-Path $PSScriptRoot '../fixtures/ultimate-multisite/networks.sql'
$script:TestDbUser = 'um_reader'
$script:TestDbPassword = 'Pw-of-the-um-reader-7f3a'
$script:TestDbName = 'um_networks'

function Find-TestTool([string] $Name, [string[]] $Fallback) {
    $found = Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($found) { return $found.Source }
    foreach ($f in $Fallback) { if (Test-Path $f) { return $f } }
    $null
}

function Start-TestMariaDb {
    $server = Find-TestTool 'mariadbd' @('/usr/sbin/mariadbd', '/usr/sbin/mysqld')
    $install = Find-TestTool 'mariadb-install-db' @('/usr/bin/mariadb-install-db')
    $client = Find-TestTool 'mariadb' @('/usr/bin/mariadb', '/usr/bin/mysql')
    if (-not $server -or -not $install -or -not $client) {
        throw 'mariadbd, mariadb-install-db or mariadb was not found: install Debian''s mariadb-server (apt-get install mariadb-server). The Ultimate Multisite tests need a real MariaDB.'
    }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('rc-mariadb-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $data = Join-Path $folder 'data'
    New-Item -ItemType Directory -Path $folder | Out-Null
    $asRoot = [Environment]::UserName -eq 'root'
    $userArg = @(if ($asRoot) { '--user=root' })
    $out = & $install --no-defaults "--datadir=$data" --auth-root-authentication-method=normal --skip-test-db @userArg 2>&1
    if ($LASTEXITCODE -ne 0) { throw "mariadb-install-db failed: $out" }
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $socket = Join-Path $folder 'mysqld.sock'
    $arguments = @('--no-defaults', "--datadir=$data", "--port=$port", '--bind-address=127.0.0.1', "--socket=$socket",
        "--pid-file=$(Join-Path $folder 'mysqld.pid')", "--log-error=$(Join-Path $folder 'error.log')", '--skip-log-bin',
        '--innodb-buffer-pool-size=32M', '--innodb-log-file-size=16M', '--skip-name-resolve') + $userArg
    $process = Start-Process -FilePath $server -ArgumentList $arguments -PassThru -RedirectStandardOutput (Join-Path $folder 'stdout.log') -RedirectStandardError (Join-Path $folder 'stderr.log')
    $db = [pscustomobject]@{ Folder = $folder; Port = $port; Socket = $socket; Process = $process; Client = $client; User = $script:TestDbUser; Password = $script:TestDbPassword; Database = $script:TestDbName }
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        if ($process.HasExited) { throw "mariadbd exited at start: $(Get-Content -Raw (Join-Path $folder 'error.log') -ErrorAction SilentlyContinue)" }
        if (Test-Path $socket) {
            & $client --no-defaults -S $socket -uroot -e 'SELECT 1' *> $null
            if ($LASTEXITCODE -eq 0) { break }
        }
        if ([DateTime]::UtcNow -gt $deadline) { Stop-TestMariaDb $db; throw 'mariadbd did not accept connections within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    try {
        Invoke-TestMariaDbSql $db ("CREATE USER '{0}'@'127.0.0.1' IDENTIFIED BY '{1}'; CREATE USER '{0}'@'localhost' IDENTIFIED BY '{1}'; GRANT ALL ON *.* TO '{0}'@'127.0.0.1'; GRANT ALL ON *.* TO '{0}'@'localhost'; CREATE DATABASE {2} CHARACTER SET utf8mb4;" -f $db.User, $db.Password, $db.Database)
        Invoke-TestMariaDbSql $db (Get-Content -Raw $script:UmFixtureSql) -Database $db.Database
    }
    catch {
        Stop-TestMariaDb $db   # a server that started but could not be set up is not left running
        throw
    }
    $db
}

function Invoke-TestMariaDbSql($Db, [string] $Sql, [string] $Database) {
    $dbArg = @(if ($Database) { $Database })
    $out = $Sql | & $Db.Client --no-defaults -S $Db.Socket -uroot --default-character-set=utf8mb4 @dbArg 2>&1
    if ($LASTEXITCODE -ne 0) { throw "SQL failed: $out" }
    $out
}

function Stop-TestMariaDb($Db) {
    if (-not $Db) { return }
    if ($Db.Process -and -not $Db.Process.HasExited) {
        $Db.Process.Kill()
        $null = $Db.Process.WaitForExit(10000)
    }
    Remove-Item -Recurse -Force $Db.Folder -ErrorAction SilentlyContinue
}

# A WordPress root (a temp folder) whose wp-config.php reads the fixture database with the given table prefix.
function New-TestWordPressRoot($Db, [string] $Prefix = 'wp_', [switch] $Subdirectory, [string] $Password, [string] $Extra = '', [string] $Folder) {
    if (-not $Folder) { $Folder = Join-Path ([IO.Path]::GetTempPath()) ('rc-wp-' + [guid]::NewGuid().ToString('N').Substring(0, 12)) }
    New-Item -ItemType Directory -Force -Path $Folder | Out-Null
    if (-not $Password) { $Password = $Db.Password }
    Set-Content -Path (Join-Path $Folder 'wp-config.php') -Value (New-TestWpConfigText -Db $Db -Prefix $Prefix -Subdirectory:$Subdirectory -Password $Password -Extra $Extra)
    $Folder
}

function New-TestWpConfigText($Db, [string] $Prefix = 'wp_', [switch] $Subdirectory, [string] $Password, [string] $Extra = '') {
    if (-not $Password) { $Password = $Db.Password }
    @(
        '<?php'
        "define( 'DB_NAME', '$($Db.Database)' );"
        "define( 'DB_USER', '$($Db.User)' );"
        "define( 'DB_PASSWORD', '$Password' );"
        "define( 'DB_HOST', '127.0.0.1:$($Db.Port)' );"
        "`$table_prefix = '$Prefix';"
        "define( 'MULTISITE', true );"
        "define( 'SUBDOMAIN_INSTALL', $(if ($Subdirectory) { 'false' } else { 'true' }) );"
        $Extra
        "if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }"
        "require_once ABSPATH . 'wp-settings.php';"
    ) -join "`n"
}
