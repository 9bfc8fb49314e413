# Which web app (and account) each cmdlet acts on when objects are piped to it: every cell of the table in
# docs/safety.md ("Piped input"). Two accounts (emulators A and B); the objects are read through B's named
# connection while A is the default connection, so a cmdlet that loses the piped object's connection shows up as a
# request to A. Each cell is one case: what is piped, and either the ErrorId of the refusal (nothing sent to either
# account), "Own" (only the piped object's account was asked), "NoApi" (nothing asked of RunCloud, no error),
# "Default" (a string: the explicit or default target, account A), "Own!<ErrorId>" (only the piped object's account was
# asked, and it answered that the object lacks what the cmdlet needs) or "NotBound" (PowerShell binds it to nothing).
BeforeDiscovery {
    $table = [ordered]@{
        # cmdlet                     server                      web app                     domain                      string                 plan
        'Connect-RunCloud'        = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Disconnect-RunCloud'     = 'NotBound', 'NotBound', 'NotBound', 'ParameterArgumentTransformationError', 'NotBound'
        'Get-RunCloudConnection'  = 'NoApi', 'NoApi', 'NoApi', 'NotBound', 'NotBound'
        'Test-RunCloudConnection' = 'NotBound', 'NotBound', 'NotBound', 'ParameterArgumentTransformationError', 'NotBound'
        'Get-RunCloudServer'      = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Get-RunCloudWebApp'      = 'Own', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Get-RunCloudDomain'      = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Add-RunCloudDomain'      = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'NoApi', 'NoApi', 'RunCloudInvalidInput'
        'Remove-RunCloudDomain'   = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'NoApi', 'Default', 'RunCloudInvalidInput'
        'Set-RunCloudDomain'      = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'NoApi', 'Default', 'RunCloudInvalidInput'
        'Sync-RunCloudDomain'     = 'RunCloudWebAppIdRequired', 'Own', 'RunCloudInvalidInput', 'Default', 'RunCloudInvalidInput'
        'Get-RunCloudSsl'         = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Set-RunCloudSsl'         = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Set-RunCloudSslMode'     = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Reset-RunCloudSsl'       = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Test-RunCloudCertificate' = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'NoApi', 'NoApi', 'RunCloudInvalidInput'
        'Test-RunCloudDomainDns'  = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'Own', 'Default', 'RunCloudInvalidInput'
        'New-RunCloudSyncPlan'    = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Invoke-RunCloudSyncPlan' = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'Own'
        'Get-RunCloudDnsIntegration' = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Get-RunCloudDomainDns'   = 'RunCloudWebAppIdRequired', 'Own', 'Own', 'NotBound', 'RunCloudInvalidInput'
        'Remove-RunCloudSsl'      = 'RunCloudWebAppIdRequired', 'Own', 'Own!RunCloudSslNotInstalled', 'NotBound', 'RunCloudInvalidInput'
        'Invoke-RunCloudRequest'  = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Get-RunCloudMappedDomain' = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Invoke-RunCloudScheduledSync' = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Register-RunCloudSyncTask' = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
        'Unregister-RunCloudSyncTask' = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'NotBound', 'NotBound'
        'Get-RunCloudNetworkStatus' = 'RunCloudInvalidInput', 'RunCloudInvalidInput', 'RunCloudConnectionMismatch', 'Default', 'RunCloudInvalidInput'
        'Get-RunCloudApiUsage'    = 'NotBound', 'NotBound', 'NotBound', 'NotBound', 'NotBound'
    }
    $script:Rows = @{ Cmdlets = @($table.Keys) }
    $kinds = 'server', 'web app', 'domain', 'string', 'plan'
    $script:Cells = foreach ($cmdlet in $table.Keys) {
        for ($i = 0; $i -lt $kinds.Count; $i++) { @{ Cmdlet = $cmdlet; Kind = $kinds[$i]; Expected = $table[$cmdlet][$i] } }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:A = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:B = Start-RunCloudEmulator -RateLimitPerMinute 0
    $bonly = $script:B.State.AddWebApp(1001, 'bonly')
    $null = $script:B.State.AddDomain(1001, $bonly.Id, 'bonly.example.com')
    $null = $script:B.State.InstallSsl(1001, $bonly.Id)
    $null = $script:B.State.AddDomains(1001, 2001, [string[]]@('copy1.example.com', 'copy2.example.com'))
    $script:OtherApp = $script:B.State.AddWebApp(1002, 'copyto').Id   # a domain name is unique per server: copies go to another server

    # Extra arguments a cmdlet needs to run at all (never one that names a target).
    $script:Manifest = Join-Path $TestDrive 'targets-manifest.json'
    Set-Content -LiteralPath $script:Manifest -Value '{ "targets": [ { "serverId": 1001, "webAppId": 2001, "domains": [ "a.example.com" ] } ] }'
    $script:Needs = @{
        'Register-RunCloudSyncTask'    = @{ Manifest = $script:Manifest }
        'Invoke-RunCloudScheduledSync' = @{ Manifest = $script:Manifest }
        'Set-RunCloudDomain'  = @{ Www = $true }
        'Set-RunCloudSsl'     = @{ EnableHsts = $true }
        'Set-RunCloudSslMode' = @{ Mode = 'Advanced' }
    }

    function Connect-Both {
        Disconnect-RunCloud -All
        Connect-RunCloud -Name bee -BaseUri $script:B.BaseUri -Token (ConvertTo-SecureString $script:B.Token -AsPlainText -Force) -RateLimit 0
        Connect-RunCloud -BaseUri $script:A.BaseUri -Token (ConvertTo-SecureString $script:A.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
    }

    function Get-Piped([string] $Kind) {
        switch ($Kind) {
            'server' { Get-RunCloudServer -Connection bee | Select-Object -First 1 }
            'web app' { Get-RunCloudWebApp -Connection bee -ServerId 1001 | Where-Object Name -EQ 'bonly' }
            'domain' { Get-RunCloudDomain -Connection bee -ServerId 1001 -WebAppId 2001 | Where-Object Type -NE 'primary' | Select-Object -First 1 }
            'string' { 'nosuch.example.com' }
            'plan' { New-RunCloudSyncPlan -Connection bee -ServerId 1001 -WebAppId 2002 -Domain blog.example.com, extra.example.com }
        }
    }

    # Pipes the object to the cmdlet (under -WhatIf where the cmdlet has it) and says what happened.
    function Invoke-Cell([string] $Cmdlet, [string] $Kind) {
        $piped = Get-Piped $Kind
        $script:A.ClearRequests(); $script:B.ClearRequests()
        $arguments = if ($script:Needs[$Cmdlet]) { $script:Needs[$Cmdlet].Clone() } else { @{} }
        if ((Get-Command $Cmdlet).Parameters.ContainsKey('WhatIf')) { $arguments.WhatIf = $true }
        $failure = $null
        try { $null = $piped | & $Cmdlet @arguments -ErrorAction Stop -WarningAction SilentlyContinue 6>$null } catch { $failure = $_ }
        [pscustomobject]@{
            ErrorId = if ($failure) { ($failure.FullyQualifiedErrorId -split ',')[0] } else { $null }
            Message = if ($failure) { "$($failure.Exception.Message)" } else { '' }
            ToA     = @($script:A.GetRequests()).Count
            ToB     = @($script:B.GetRequests()).Count
        }
    }
}

AfterAll {
    Disconnect-RunCloud -All
    $script:A, $script:B | Stop-RunCloudEmulator
}

Describe 'Piped input: every cmdlet against every piped type (docs/safety.md)' {
    BeforeEach { Connect-Both }

    It '<Cmdlet> with a piped <Kind>: <Expected>' -ForEach $script:Cells {
        $r = Invoke-Cell $Cmdlet $Kind
        switch ($Expected) {
            'Own' {
                $r.ErrorId | Should -BeNullOrEmpty -Because $r.Message
                $r.ToA | Should -Be 0 -Because 'the default account is never asked about another account''s object'
                $r.ToB | Should -BeGreaterThan 0 -Because 'the piped object''s own account is'
            }
            'NoApi' {
                $r.ErrorId | Should -BeNullOrEmpty -Because $r.Message
                $r.ToA + $r.ToB | Should -Be 0
            }
            'Default' {
                $r.ToB | Should -Be 0 -Because 'a string names nothing of account B'
                $r.ToA | Should -BeGreaterThan 0 -Because 'a string acts on the explicit or default target'
            }
            { $_ -like 'Own!*' } {
                # Its own account only, and an error about the object itself (not a refusal of the binding).
                $r.ErrorId | Should -Be ($Expected -replace '^Own!', '') -Because $r.Message
                $r.ToA | Should -Be 0 -Because 'the default account is never asked about another account''s object'
                $r.ToB | Should -BeGreaterThan 0 -Because 'the piped object''s own account is'
            }
            'NotBound' {
                $r.ErrorId | Should -Be 'InputObjectNotBound'
                $r.ToA + $r.ToB | Should -Be 0
            }
            default {
                $r.ErrorId | Should -Be $Expected -Because $r.Message
                $r.ToA + $r.ToB | Should -Be 0 -Because 'a refusal comes before any request'
            }
        }
    }
}

Describe 'The piped-input table covers the module' {
    It 'has a row for every exported cmdlet (a new cmdlet says what it does with each piped type)' -ForEach $script:Rows {
        $exported = @((Get-Module RunCloud.PowerShell).ExportedCmdlets.Keys | Sort-Object)
        $exported | Should -Not -BeNullOrEmpty
        @($exported | Where-Object { $_ -notin $Cmdlets }) | Should -BeNullOrEmpty -Because 'every cmdlet is a row of the table in docs/safety.md'
    }
}

Describe 'Piped targets take their account, server and web app' {
    BeforeEach { Connect-Both }

    It 'a piped web app is the target of Sync-RunCloudDomain (its names from -Name), never a desired name, never the default app' {
        $app = Get-Piped 'web app'
        $r = $app | Sync-RunCloudDomain -Name 'synced.example.com' -NoSslReset
        $r.WebAppId | Should -Be $app.Id
        @($script:B.State.GetDomains(1001, $app.Id).Name) | Should -Contain 'synced.example.com'
        @($script:A.State.GetDomains(1001, 2001).Name) | Should -Not -Contain 'synced.example.com'
        @($script:A.State.GetDomains(1001, 2001).Name) | Should -Not -Contain 'bonly'
        @($script:A.GetRequests() | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
    }

    It 'two web apps piped to Sync-RunCloudDomain are refused before any request (a sync has one target)' {
        $apps = Get-RunCloudWebApp -Connection bee -ServerId 1001
        $script:A.ClearRequests(); $script:B.ClearRequests()
        { $apps | Sync-RunCloudDomain -Name 'x.example.com' -Prune -ErrorAction Stop } | Should -Throw -ExpectedMessage '*syncs one web app*Nothing was changed*'
        @($script:A.GetRequests()) + @($script:B.GetRequests()) | Should -BeNullOrEmpty
    }

    It 'piped domains are desired names for the web app named with -WebAppId, on their own account only' {
        $names = Get-RunCloudDomain -Connection bee -ServerId 1001 -WebAppId 2001 -Name 'copy*'
        $r = $names | Sync-RunCloudDomain -Connection bee -ServerId 1002 -WebAppId $script:OtherApp -NoSslReset
        $r.Added | Should -Be @($names.Name)
        @($script:B.State.GetDomains(1002, $script:OtherApp).Name) | Should -Contain 'copy1.example.com'
        { $names | Sync-RunCloudDomain -ServerId 1002 -WebAppId 2002 -ErrorAction Stop } | Should -Throw -ErrorId 'RunCloudConnectionMismatch,*'
    }

    It 'Add-/Remove-/Set-RunCloudDomain with a piped web app and -Name act on that web app through its connection' {
        $app = Get-Piped 'web app'
        $app | Add-RunCloudDomain -Name 'piped-add.example.com'
        @($script:B.State.GetDomains(1001, $app.Id).Name) | Should -Contain 'piped-add.example.com'
        $app | Set-RunCloudDomain -Name 'piped-add.example.com' -Www -Confirm:$false
        ($script:B.State.GetDomains(1001, $app.Id) | Where-Object Name -EQ 'piped-add.example.com').Www | Should -BeTrue
        $app | Remove-RunCloudDomain -Name 'piped-add.example.com' -Force
        @($script:B.State.GetDomains(1001, $app.Id).Name) | Should -Not -Contain 'piped-add.example.com'
        @($script:A.GetRequests() | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
    }

    It 'a piped domain object is changed by Set-RunCloudDomain on its own account, never on the default account''s same-named domain' {
        $null = $script:A.State.AddDomain(1001, 2001, 'same.example.com')
        $null = $script:B.State.AddDomain(1001, 2001, 'same.example.com')
        $d = Get-RunCloudDomain -Connection bee -ServerId 1001 -WebAppId 2001 -Name 'same.example.com'
        $script:A.ClearRequests()
        $d | Set-RunCloudDomain -Www -Confirm:$false
        ($script:B.State.GetDomains(1001, 2001) | Where-Object Name -EQ 'same.example.com').Www | Should -BeTrue
        ($script:A.State.GetDomains(1001, 2001) | Where-Object Name -EQ 'same.example.com').Www | Should -BeFalse
        @($script:A.GetRequests()) | Should -BeNullOrEmpty
    }
}
