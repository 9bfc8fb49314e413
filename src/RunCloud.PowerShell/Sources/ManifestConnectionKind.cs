namespace RunCloud.PowerShell.Sources
{
    /// <summary>Where a manifest connection's credential comes from: never the manifest itself.</summary>
    internal enum ManifestConnectionKind
    {
        /// <summary>SecretManagement: Get-Secret -Vault &lt;vault&gt; -Name &lt;secretName&gt;.</summary>
        Vault,

        /// <summary>An environment variable, named by the manifest, that holds the API token.</summary>
        EnvironmentVariable,

        /// <summary>A file written by Export-Clixml: a PSCredential (API key + secret) or a SecureString (API token).</summary>
        CredentialFile,
    }
}
