
U
xPlaceholder*
dtype0*6
e-:+ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿa_foHdentityoutheout