using System;
using System.Globalization;
using System.Management.Automation;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// -ExternalApi takes a DNS integration as its id (a number), its label, or the object Get-RunCloudDnsIntegration
    /// writes: all become the text the command resolves against the account (by id, else by label) before any change.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class DnsIntegrationTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            return value switch
            {
                null => null,
                RunCloudDnsIntegration integration => integration.Id.ToString(CultureInfo.InvariantCulture),
                string text => text,
                IConvertible number when value is int || value is long || value is short || value is uint || value is ulong
                    => Convert.ToString(number, CultureInfo.InvariantCulture),
                _ => throw new ArgumentTransformationMetadataException(
                    $"-ExternalApi takes a DNS integration's id, its label or a Get-RunCloudDnsIntegration object, not a {value.GetType().Name}."),
            };
        }
    }
}
