namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Where each cmdlet's help page lives online (Get-Help -Online, HelpUri): docs/help/&lt;Name&gt;.md in the project's
    /// repository, the ProjectUri of the module manifest.
    /// </summary>
    internal static class HelpUris
    {
        public const string Base = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/";
    }
}
