using RunCloud.PowerShell.Loader;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Which profile the loader starts after an import (StartupProfile): one per engine and kind of session, the kind read
    /// from pwsh's command line as PowerShell reads it. Whether the profile is written and replayed is tested on the built
    /// module (tests/pester/StartupProfile.Tests.ps1); what it buys is a benchmark (docs/benchmarks.md, figure 1).
    /// </summary>
    public class StartupProfileTests
    {
        [Theory]
        [InlineData("pwsh -NonInteractive -File sync.ps1")]
        [InlineData("pwsh -noni -c 0")]
        [InlineData("pwsh -NoProfile -Command Sync-RunCloudDomain")]
        [InlineData("pwsh -c 0")]
        [InlineData("pwsh -f sync.ps1")]
        [InlineData("/usr/bin/dotnet pwsh.dll -NoProfile -NONINTERACTIVE")]
        [InlineData("pwsh.exe /NonInteractive")]
        public void A_scheduled_or_scripted_pwsh_is_non_interactive(string commandLine)
        {
            Assert.True(StartupProfile.IsNonInteractive(commandLine.Split(' ')));
        }

        [Theory]
        [InlineData("pwsh")]
        [InlineData("pwsh -NoProfile")]
        [InlineData("pwsh -NoLogo -NoExit")]
        [InlineData("pwsh -non")] // too short to be -NonInteractive (PowerShell needs "-noni")
        [InlineData("-c")]           // the program's own name is not an argument
        public void A_prompt_is_interactive(string commandLine)
        {
            Assert.False(StartupProfile.IsNonInteractive(commandLine.Split(' ')));
        }

        [Fact]
        public void Each_engine_and_kind_of_session_keeps_its_own_profile()
        {
            Assert.Equal("RunCloud.PowerShell-NonInteractive", StartupProfile.ProfileName("RunCloud.PowerShell", interactive: false));
            Assert.Equal("RunCloud.PowerShell-Interactive", StartupProfile.ProfileName("RunCloud.PowerShell", interactive: true));
            Assert.Equal("RunCloud.Emulator-NonInteractive", StartupProfile.ProfileName("RunCloud.Emulator", interactive: false));
            Assert.NotEqual("StartupProfileData-NonInteractive", StartupProfile.ProfileName("RunCloud.PowerShell", interactive: false));
        }
    }
}
