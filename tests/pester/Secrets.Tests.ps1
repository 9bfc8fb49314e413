# A full session at -Verbose must never show the API secret, the token or the Basic header value anywhere.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'No secret in any stream, error record or transcript' {
    It 'a full verbose/debug session leaks neither the secret, the token nor the Basic header' {
        $emu = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            $uri = $emu.BaseUri.AbsoluteUri
            $secretText = $emu.ApiSecret
            $tokenText = $emu.Token
            $basicText = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($emu.ApiKey):$secretText"))
            $forbidden = @($secretText, $tokenText, $basicText)
            $secret = ConvertTo-SecureString $secretText -AsPlainText -Force
            $token = ConvertTo-SecureString $tokenText -AsPlainText -Force
            $wrong = ConvertTo-SecureString "$secretText-wrong" -AsPlainText -Force
            $transcript = Join-Path $TestDrive 'transcript.txt'
            $Error.Clear()
            $oldDebug = $DebugPreference
            # -Debug on a compiled cmdlet makes pwsh 7.6 ask 'Continue with this operation?' at every debug line, which
            # a non-interactive run cannot answer; $DebugPreference = 'Continue' is the same debug stream without the prompt.
            $DebugPreference = 'Continue'
            Start-Transcript -Path $transcript | Out-Null
            try {
                $all = & {
                    $ErrorActionPreference = 'Continue'   # per-item errors are part of the session under test
                    Connect-RunCloud -ApiKey $emu.ApiKey -ApiSecret $secret -BaseUri $uri -ServerId 1001 -WebAppId 2001 -RateLimit 0 -Verbose -PassThru
                    Get-RunCloudConnection
                    Test-RunCloudConnection -Detailed -Verbose
                    Get-RunCloudWebApp -Verbose
                    Get-RunCloudDomain -Verbose
                    Add-RunCloudDomain -Name 'secret-test.example.com' -ResetSsl -PassThru -Verbose
                    Add-RunCloudDomain -Name 'shop.example.com' -PassThru -Verbose
                    Remove-RunCloudDomain -Name 'secret-test.example.com' -Confirm:$false -Verbose
                    Remove-RunCloudDomain -Name 'absent.example.com' -Confirm:$false -Verbose
                    Connect-RunCloud -Token $token -BaseUri $uri -ServerId 1001 -WebAppId 2001 -RateLimit 0 -Verbose -PassThru
                    Get-RunCloudDomain -Name 'shop*' -Verbose
                    try { Connect-RunCloud -ApiKey $emu.ApiKey -ApiSecret $wrong -BaseUri $uri -Verbose } catch { $_ }
                    $bad = Connect-RunCloud -Token $wrong -BaseUri $uri -SkipValidation -PassThru -Verbose
                    Test-RunCloudConnection -Connection $bad -Detailed -Verbose
                    try { Get-RunCloudServer -Connection $bad -Verbose } catch { $_ }
                } *>&1
                $all | Out-String -Width 4096 | Out-Host
            }
            finally {
                Stop-Transcript | Out-Null
                $DebugPreference = $oldDebug
            }

            # Sanity: the session really ran at -Verbose/-Debug and really failed where it should.
            @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 10
            @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like '*response body*' }).Count | Should -BeGreaterThan 3
            @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'RunCloudAuthenticationFailed*' }).Count | Should -BeGreaterThan 0
            @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'RunCloudDomainNotFound*' }).Count | Should -Be 1

            $texts = [System.Collections.Generic.List[string]]::new()
            foreach ($item in @($all) + @($Error)) {
                $texts.Add(($item | Out-String -Width 4096))
                $texts.Add(($item | Format-List * -Force | Out-String -Width 4096))
                if ($item -is [System.Management.Automation.ErrorRecord]) {
                    $texts.Add($item.Exception.ToString())
                    $texts.Add("$($item.ErrorDetails) $($item.ErrorDetails.RecommendedAction) $($item.TargetObject | Out-String) $($item.CategoryInfo)")
                    if ($item.Exception -is [RunCloud.PowerShell.Http.RunCloudApiException]) {
                        $texts.Add(($item.Exception | Format-List * -Force | Out-String -Width 4096))
                    }
                }
                elseif ($item -isnot [string]) {
                    $texts.Add(($item | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue))
                }
            }
            $texts.Add((Get-Content -Raw $transcript))
            $texts.Add(($emu.GetRequests() | Format-List * -Force | Out-String -Width 4096))
            $haystack = $texts -join "`n"
            $haystack.Length | Should -BeGreaterThan 1000
            $haystack | Should -Match 'RunCloud: GET'
            foreach ($value in $forbidden) {
                $haystack.Contains($value) | Should -BeFalse -Because "the session output must not contain '$($value.Substring(0, 4))…'"
            }
        }
        finally {
            Disconnect-RunCloud
            $emu | Stop-RunCloudEmulator
        }
    }
}
