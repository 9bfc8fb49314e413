using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>An empty or blank value (an empty Import-Csv cell) stands for the parameter's default.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class EmptyAsDefaultAttribute : ArgumentTransformationAttribute
    {
        public EmptyAsDefaultAttribute(string defaultValue) => DefaultValue = defaultValue;

        public string DefaultValue { get; }

        /// <summary>
        /// Values that belong to another object's property of the same name, never to this parameter: a piped web app's
        /// Type (custom, wordpress) is not a domain type, so it stands for the default rather than failing the binding.
        /// </summary>
        public string[] Foreign { get; set; } = System.Array.Empty<string>();

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value == null || (value is string s && string.IsNullOrWhiteSpace(s))) return DefaultValue;
            if (value is string text && System.Array.Exists(Foreign, f => string.Equals(f, text.Trim(), StringComparison.OrdinalIgnoreCase))) return DefaultValue;
            return inputData;
        }
    }
}
