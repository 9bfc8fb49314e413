# The emulator, like RunCloud (a Laravel app), accepts more than the contract asks for: "[]" bodies, form-encoded
# bodies, query-string fields. It records what each request carried, so this asserts that the module itself sends
# clean JSON: every body a JSON object with Content-Type application/json, no form body, no "[]".
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'What the module sends' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-TestEmulator $e
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'sends every body as a JSON object with Content-Type application/json, on adds, redeploys, installs and removals' {
        $e.ClearRequests()
        Add-RunCloudDomain -Name wire.example.com -Www -ResetSsl
        Reset-RunCloudSsl -Confirm:$false
        Remove-RunCloudDomain -Name wire.example.com -Confirm:$false
        Reset-RunCloudSsl -WebAppId 2002 -Confirm:$false
        $writes = @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET')
        $writes.Count | Should -BeGreaterOrEqual 4
        foreach ($r in $writes) {
            $r.StatusCode | Should -Be 200 -Because "$r"
            $r.BodyKind | Should -BeIn @('JsonObject', 'None') -Because "$r carried: $($r.Body)"
            if ($r.BodyKind -eq 'JsonObject') { $r.ContentType | Should -BeLike 'application/json*' }
        }
        @($writes | Where-Object BodyKind -EQ 'JsonObject').Count | Should -BeGreaterOrEqual 1
    }
}
