BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The built module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        $exported = (Get-Command -Module RunCloud.PowerShell).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'carries the version from Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        (Get-Module RunCloud.PowerShell).Version | Should -Be ([version]$version)
    }

    It 'imports in a fresh pwsh -NoProfile and lists only its own cmdlets' {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $names = & $exe @rest -NoProfile -NonInteractive -Command "Import-Module '$script:ModulePath'; (Get-Command -Module RunCloud.PowerShell).Name"
        $LASTEXITCODE | Should -Be 0
        $names | Should -Contain 'Get-RunCloudConnection'
        $names | Where-Object { $_ -notlike '*-RunCloud*' } | Should -BeNullOrEmpty
    }
}

Describe 'Get-RunCloudConnection' {
    It 'writes nothing when no connection is open' {
        @(Get-RunCloudConnection) | Should -HaveCount 0
    }

    It 'declares its output type' {
        (Get-Command Get-RunCloudConnection).OutputType.Type | Should -Be ([RunCloud.PowerShell.Session.RunCloudConnection])
    }
}
